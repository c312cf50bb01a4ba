import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { ACCESS } from '../src/auth/access.decorator';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { MailboxKeys1764292600000 } from '../migrations/1764292600000-MailboxKeys';
import { LoginThrottleService } from '../src/accounts/login-throttle.service';
import { RESET_REQUEST_FLOOR_MS } from '../src/accounts/accounts.service';
import { MfaService } from '../src/accounts/mfa.service';
import * as passwords from '../src/accounts/passwords';
import { StaffService } from '../src/accounts/staff.service';
import { User } from '../src/accounts/user.entity';
import { createDataSource, dataSourceOptions } from '../src/database/data-source';
import { runMigrations } from '../src/database/migrations';
import {
  Actor,
  ORGANISATION,
  PASSWORD,
  bearer,
  codeAt,
  currentCode,
  developer,
  login,
  createOrganisation,
  nextCode,
  owner,
  staff,
  tokenFromLink,
  uniqueEmail,
} from './harness/actors';
import { join } from 'node:path';
import { runClockFrom, secondOfThisMinute } from './harness/clock';
import { adminQuery, databaseUrl, dropDatabase } from './harness/postgres';
import { spawnEntry } from './harness/processes';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';
import { SandboxApp, sandboxApp } from './harness/cases';
import { SignedInCustomer, grantConsent, sandboxCustomer } from './harness/consents';

const org = (name = ORGANISATION.legalName) => ({ ...ORGANISATION, legalName: name });

describe('accounts and organisations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_URL: 'https://developer.bank.example' } });
  });
  afterAll(() => t.close());

  it('walks the whole path: sign up, verify, log in, me, create an organisation, invite, accept', async () => {
    const email = uniqueEmail('ada');
    await t.http().post('/v1/auth/signup').send({ email, password: PASSWORD, name: 'Ada Lovelace' }).expect(201);
    const verification = await t.smtp.waitFor((m) => m.to.includes(email));
    expect(verification.text).toContain('https://developer.bank.example/verify-email?token=');
    const early = await login(t, email);
    await t.http().post('/v1/organisations').set(bearer(early)).send(org()).expect(403);

    await t
      .http()
      .post('/v1/auth/verify-email')
      .send({ token: tokenFromLink(verification.text, '/verify-email') })
      .expect(204);
    const token = await login(t, email);
    // A Gatehouse session token, which secret scanners tell from GitHub's and other vendors' (docs/decisions.md).
    expect(token).toMatch(/^gatehouse_session_[A-Za-z0-9_-]{48}$/);
    const me = await t.http().get('/v1/me').set(bearer(token)).expect(200);
    expect(me.body).toMatchObject({ email, name: 'Ada Lovelace', kind: 'developer', emailVerified: true });
    expect(JSON.stringify(me.body)).not.toMatch(/argon2|password/i);

    const created = await t.http().post('/v1/organisations').set(bearer(token)).send(org()).expect(201);
    expect(created.body).toMatchObject({
      legalName: 'Acme Payments Ltd',
      myRole: 'owner',
      verification: { status: 'unverified' },
    });

    const bob = await developer(t, 'bob');
    await t
      .http()
      .post(`/v1/organisations/${created.body.id}/invitations`)
      .set(bearer(token))
      .send({ email: bob.email, role: 'admin' })
      .expect(201);
    const invitation = await t.smtp.waitFor((m) => m.to.includes(bob.email) && /invited you/.test(m.subject));
    const inviteToken = tokenFromLink(invitation.text, '/invitations/accept')!;

    // Bound to the invited address: someone else holding the link cannot use it.
    const eve = await developer(t, 'eve');
    await t.http().post(`/v1/invitations/${inviteToken}/accept`).set(bearer(eve.token)).expect(403);

    await t.http().post(`/v1/invitations/${inviteToken}/accept`).set(bearer(bob.token)).expect(200);
    const mine = await t.http().get('/v1/organisations').set(bearer(bob.token)).expect(200);
    expect(mine.body.data.map((o: { id: string; myRole: string }) => [o.id, o.myRole])).toEqual([
      [created.body.id, 'admin'],
    ]);
    await t.http().post(`/v1/invitations/${inviteToken}/accept`).set(bearer(bob.token)).expect(404);
    const members = await t
      .http()
      .get(`/v1/organisations/${created.body.id}/members`)
      .set(bearer(bob.token))
      .expect(200);
    expect(members.body.data.map((m: { role: string }) => m.role).sort()).toEqual(['admin', 'owner']);

    const actions = (await t.dataSource.query(`SELECT action FROM audit_entries WHERE subject_id = $1 ORDER BY id`, [
      created.body.id,
    ])) as { action: string }[];
    expect(actions.map((a) => a.action)).toEqual([
      'organisation.created',
      'organisation.member_invited',
      'organisation.member_joined',
    ]);
  });

  describe('authorisation matrix', () => {
    type Who =
      | 'anonymous'
      | 'unverified'
      | 'outsider'
      | 'member'
      | 'admin'
      | 'owner'
      | 'staffNoMfa'
      | 'reviewer'
      | 'senior_reviewer'
      | 'staff_admin'
      | 'customer';
    const WHO: Who[] = [
      'anonymous',
      'unverified',
      'outsider',
      'member',
      'admin',
      'owner',
      'staffNoMfa',
      'reviewer',
      'senior_reviewer',
      'staff_admin',
      'customer',
    ];
    const actors = {} as Record<Who, Actor | undefined>;
    let orgId: string;
    /** A sandbox bank customer (customer bearer JWT) with consents to an app of the organisation. */
    let customer: SignedInCustomer;
    let customerApp: SandboxApp;
    let consentId: string;
    let revocableId: string;

    beforeAll(async () => {
      actors.anonymous = undefined;
      actors.unverified = await developer(t, 'unverified', false);
      actors.outsider = await developer(t, 'outsider');
      actors.owner = await developer(t, 'owner');
      actors.admin = await developer(t, 'orgadmin');
      actors.member = await developer(t, 'member');
      actors.staffNoMfa = await staff(t, 'reviewer', false);
      actors.reviewer = await staff(t, 'reviewer');
      actors.senior_reviewer = await staff(t, 'senior_reviewer');
      actors.staff_admin = await staff(t, 'admin');
      actors.customer = undefined;
      await t.http().post('/v1/organisations').set(bearer(actors.outsider.token)).send(org('Outsider Ltd')).expect(201);
      orgId = await createOrganisation(t, actors.owner);
      for (const [who, role] of [
        ['admin', 'admin'],
        ['member', 'member'],
      ] as const) {
        await t
          .http()
          .post(`/v1/organisations/${orgId}/invitations`)
          .set(bearer(actors.owner.token))
          .send({ email: actors[who]!.email, role })
          .expect(201);
        const mail = await t.smtp.waitFor((m) => m.to.includes(actors[who]!.email) && /invited you/.test(m.subject));
        await t
          .http()
          .post(`/v1/invitations/${tokenFromLink(mail.text, '/invitations/accept')}/accept`)
          .set(bearer(actors[who]!.token))
          .expect(200);
      }
      customer = await sandboxCustomer(t, 0);
      customerApp = await sandboxApp(t, actors.owner, orgId);
      consentId = (await grantConsent(t, customerApp, customer)).id;
      revocableId = (await grantConsent(t, customerApp, customer)).id;
    });

    // Columns follow WHO. 404 on organisation routes means "not yours", never "exists but forbidden".
    const routes: {
      name: string;
      call: (who: Who) => [method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object];
      expected: number[];
    }[] = [
      {
        name: 'GET /v1/me',
        call: () => ['get', '/v1/me'],
        expected: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
      },
      {
        name: 'GET /v1/organisations',
        call: () => ['get', '/v1/organisations'],
        expected: [401, 200, 200, 200, 200, 200, 403, 403, 403, 403, 401],
      },
      {
        name: 'POST /v1/organisations',
        call: () => ['post', '/v1/organisations', org('Matrix Ltd')],
        expected: [401, 403, 201, 201, 201, 201, 403, 403, 403, 403, 401],
      },
      {
        name: 'GET /v1/organisations/:orgId',
        call: () => ['get', `/v1/organisations/${orgId}`],
        expected: [401, 404, 404, 200, 200, 200, 403, 403, 403, 403, 401],
      },
      {
        name: 'PATCH /v1/organisations/:orgId',
        call: () => ['patch', `/v1/organisations/${orgId}`, { website: 'https://acme.example' }],
        expected: [401, 404, 404, 403, 200, 200, 403, 403, 403, 403, 401],
      },
      {
        name: 'GET …/members',
        call: () => ['get', `/v1/organisations/${orgId}/members`],
        expected: [401, 404, 404, 200, 200, 200, 403, 403, 403, 403, 401],
      },
      {
        name: 'POST …/invitations',
        call: () => [
          'post',
          `/v1/organisations/${orgId}/invitations`,
          { email: uniqueEmail('invitee'), role: 'member' },
        ],
        expected: [401, 404, 404, 403, 201, 201, 403, 403, 403, 403, 401],
      },
      // Target: the only owner. Members may not remove others, admins may not remove owners, and the last owner stays.
      {
        name: 'DELETE …/members/:owner',
        call: () => ['delete', `/v1/organisations/${orgId}/members/${actors.owner!.id}`],
        expected: [401, 404, 404, 403, 403, 409, 403, 403, 403, 403, 401],
      },
      {
        name: 'POST /v1/invitations/:token/accept',
        call: () => ['post', `/v1/invitations/${'x'.repeat(43)}/accept`],
        expected: [401, 404, 404, 404, 404, 404, 403, 403, 403, 403, 401],
      },
      {
        name: 'POST /v1/auth/mfa/totp/setup',
        call: () => ['post', '/v1/auth/mfa/totp/setup'],
        expected: [401, 200, 200, 200, 200, 200, 200, 409, 409, 409, 401],
      },
      {
        name: 'POST /v1/auth/verify-email (used token)',
        call: () => ['post', '/v1/auth/verify-email', { token: 'y'.repeat(43) }],
        expected: [409, 409, 409, 409, 409, 409, 409, 409, 409, 409, 409],
      },
      {
        name: 'POST /v1/auth/password-reset/request',
        call: () => ['post', '/v1/auth/password-reset/request', { email: uniqueEmail('nobody') }],
        expected: [202, 202, 202, 202, 202, 202, 202, 202, 202, 202, 202],
      },
      {
        name: 'GET /v1/admin/staff',
        call: () => ['get', '/v1/admin/staff'],
        expected: [401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 401],
      },
      {
        name: 'POST /v1/admin/staff',
        call: () => [
          'post',
          '/v1/admin/staff',
          { email: uniqueEmail('newstaff'), name: 'New Staff', role: 'reviewer', password: PASSWORD },
        ],
        expected: [401, 403, 403, 403, 403, 403, 403, 403, 403, 201, 401],
      },
      {
        name: 'POST /v1/admin/staff/:id/disable (unknown)',
        call: () => ['post', `/v1/admin/staff/${randomUUID()}/disable`],
        expected: [401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 401],
      },
      {
        name: 'GET /v1/admin/emails',
        call: () => ['get', '/v1/admin/emails?status=dead'],
        expected: [401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 401],
      },
      {
        name: 'POST /v1/admin/emails/:id/retry (unknown)',
        call: () => ['post', `/v1/admin/emails/${randomUUID()}/retry`],
        expected: [401, 403, 403, 403, 403, 403, 403, 403, 403, 404, 401],
      },
      // Customer routes take only customer JWTs (sessions of developers and staff alike are 401),
      // and customer JWTs open no developer route, not even the app's consents.
      ...(
        [
          ['GET /v1/customer/me', () => ['get', '/v1/customer/me'], 200],
          ['GET /v1/customer/apps', () => ['get', '/v1/customer/apps'], 200],
          ['GET /v1/customer/consents', () => ['get', '/v1/customer/consents?status=active'], 200],
          ['GET /v1/customer/consents/:id', () => ['get', `/v1/customer/consents/${consentId}`], 200],
          [
            'PATCH /v1/customer/consents/:id',
            () => ['patch', `/v1/customer/consents/${consentId}`, { scopes: ['accounts:read'] }],
            200,
          ],
          ['DELETE /v1/customer/consents/:id', () => ['delete', `/v1/customer/consents/${revocableId}`], 204],
          [
            'DELETE /v1/customer/apps/:appId/consents',
            () => ['delete', `/v1/customer/apps/${customerApp.id}/consents`],
            200,
          ],
        ] as const
      ).map(([name, call, ok]) => ({
        name,
        call: call as () => [method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object],
        expected: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, ok],
      })),
      {
        name: 'GET …/apps/:appId/consents',
        call: () => ['get', `/v1/organisations/${orgId}/apps/${customerApp.id}/consents`],
        expected: [401, 404, 404, 200, 200, 200, 403, 403, 403, 403, 401],
      },
    ];

    it('answers every route for every kind of caller as the table says', async () => {
      const actual: Record<string, number[]> = {};
      const expected: Record<string, number[]> = {};
      for (const route of routes) {
        expected[route.name] = route.expected;
        actual[route.name] = [];
        for (const who of WHO) {
          const [method, path, body] = route.call(who);
          let req = t.http()[method](path);
          const token = who === 'customer' ? customer.token : actors[who]?.token;
          if (token) req = req.set(bearer(token));
          const res = body ? await req.send(body) : await req;
          if (res.status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          actual[route.name]!.push(res.status);
        }
      }
      expect(actual).toEqual(expected);
    });
  });

  it('creates staff from the command line, who must then enrol TOTP', async () => {
    const email = uniqueEmail('cli-admin');
    const env = { DATABASE_URL: t.db.url, STAFF_PASSWORD: PASSWORD, VAR_DIR: t.config.varDir };
    const run = spawnEntry(join('src', 'cli', 'staff-create.ts'), env, [
      '--email',
      email,
      '--name',
      'Cli Admin',
      '--role',
      'admin',
    ]);
    expect({ code: await run.exited, output: run.output() }).toMatchObject({
      code: 0,
      output: expect.stringContaining(`created admin ${email}`),
    });
    const token = await login(t, email);
    await t.http().get('/v1/admin/staff').set(bearer(token)).expect(403);
    await t.http().get('/v1/me').set(bearer(token)).expect(200);
    const again = spawnEntry(join('src', 'cli', 'staff-create.ts'), env, [
      '--email',
      email,
      '--name',
      'Cli Admin',
      '--role',
      'admin',
    ]);
    expect({ code: await again.exited, output: again.output() }).toMatchObject({
      code: 1,
      output: expect.stringContaining('already exists'),
    });
    const bad = spawnEntry(join('src', 'cli', 'staff-create.ts'), { ...env, STAFF_PASSWORD: 'short' }, [
      '--email',
      'nope',
      '--role',
      'god',
    ]);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/--email must be an email address/);
  });

  it('declares who may call every route', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const undeclared: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const proto = Object.getPrototypeOf(wrapper.instance) as Record<string, object>;
      for (const method of scanner.getAllMethodNames(proto)) {
        if (Reflect.getMetadata(PATH_METADATA, proto[method]!) === undefined) continue;
        if (!Reflect.getMetadata(ACCESS, proto[method]!) && !Reflect.getMetadata(ACCESS, wrapper.metatype!))
          undeclared.push(`${wrapper.name}.${method}`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  describe('bad input', () => {
    let dev: Actor;
    let orgId: string;
    beforeAll(async () => {
      ({ orgId, ...dev } = await owner(t, 'badinput'));
    });

    const huge = 'x'.repeat(1024 * 1024);
    const cases: {
      name: string;
      path: () => string;
      method?: 'post' | 'patch';
      auth?: boolean;
      bodies: object[];
      fields: string[][];
    }[] = [
      {
        name: 'signup',
        path: () => '/v1/auth/signup',
        bodies: [
          {},
          { email: 'not-an-email', password: PASSWORD, name: 'X' },
          { email: uniqueEmail('w'), password: 'password', name: 'X' },
          { email: uniqueEmail('w'), password: 'passwordpassword1234', name: 'X' },
          { email: uniqueEmail('w'), password: PASSWORD, name: huge },
          { email: uniqueEmail('w'), password: PASSWORD, name: 'X', admin: true },
          { email: 42, password: [], name: {} },
        ],
        fields: [
          ['email', 'password', 'name'],
          ['email'],
          ['password'],
          ['password'],
          ['name'],
          ['admin'],
          ['email', 'password', 'name'],
        ],
      },
      {
        name: 'login',
        path: () => '/v1/auth/login',
        bodies: [{}, { email: 'x', password: 1 }, { email: 'a@b.co', password: 'p', totp: '12' }],
        fields: [['email', 'password'], ['email', 'password'], ['totp']],
      },
      {
        name: 'verify-email',
        path: () => '/v1/auth/verify-email',
        bodies: [{}, { token: '../../etc' }, { token: huge }],
        fields: [['token'], ['token'], ['token']],
      },
      {
        name: 'password-reset request',
        path: () => '/v1/auth/password-reset/request',
        bodies: [{}, { email: 'nope' }],
        fields: [['email'], ['email']],
      },
      {
        name: 'password-reset confirm',
        path: () => '/v1/auth/password-reset/confirm',
        bodies: [{ token: 'y'.repeat(43) }, { token: 'y'.repeat(43), password: 'short' }],
        fields: [['password'], ['password']],
      },
      {
        name: 'create organisation',
        path: () => '/v1/organisations',
        auth: true,
        bodies: [
          {},
          { ...org(), country: 'XX' },
          { ...org(), registeredAddress: { line1: 'x' } },
          { ...org(), regulatoryStatus: { type: 'bank' } },
          { ...org(), legalName: huge },
          { ...org(), extra: 1 },
          { ...org(), website: 'javascript:alert(1)' },
        ],
        fields: [
          ['legalName', 'registrationNumber', 'country', 'registeredAddress', 'regulatoryStatus'],
          ['country'],
          ['registeredAddress.city', 'registeredAddress.postcode', 'registeredAddress.country'],
          ['regulatoryStatus.type'],
          ['legalName'],
          ['extra'],
          ['website'],
        ],
      },
      {
        name: 'update organisation',
        method: 'patch',
        path: () => `/v1/organisations/${orgId}`,
        auth: true,
        bodies: [{ legalName: '' }, { registeredAddress: 'x' }, { id: 'x' }],
        fields: [['legalName'], ['registeredAddress'], ['id']],
      },
      {
        name: 'invite',
        path: () => `/v1/organisations/${orgId}/invitations`,
        auth: true,
        bodies: [{}, { email: 'bad', role: 'god' }],
        fields: [
          ['email', 'role'],
          ['email', 'role'],
        ],
      },
    ];

    it('answers 400 problem+json with field errors and writes nothing', async () => {
      const counts = async () =>
        (
          await t.dataSource.query(
            `SELECT (SELECT count(*) FROM users) u, (SELECT count(*) FROM organisations) o, (SELECT count(*) FROM invitations) i, (SELECT count(*) FROM outbox_messages) e, (SELECT count(*) FROM audit_entries) a`,
          )
        )[0];
      const before = await counts();
      for (const c of cases) {
        for (const [i, body] of c.bodies.entries()) {
          let req = t.http()[c.method ?? 'post'](c.path());
          if (c.auth) req = req.set(bearer(dev.token));
          const res = await req.send(body);
          const got = {
            case: `${c.name} #${i}`,
            status: res.status,
            fields: [...new Set((res.body.errors ?? []).map((e: { field: string }) => e.field))].sort(),
          };
          expect(got).toEqual({ case: `${c.name} #${i}`, status: 400, fields: [...c.fields[i]!].sort() });
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        }
      }
      expect(await counts()).toEqual(before);
    });
  });

  describe('tokens die', () => {
    it('on logout', async () => {
      const dev = await developer(t, 'logout');
      await t.http().post('/v1/auth/logout').set(bearer(dev.token)).expect(204);
      await t.http().get('/v1/me').set(bearer(dev.token)).expect(401);
    });

    it('on logout, at once in every API process', async () => {
      const second = await startTestApp({ sharing: t, env: { GATEHOUSE_ROLE: 'api' } });
      try {
        const dev = await developer(t, 'twoprocs');
        // Both processes have now authenticated (and cached) the token.
        await t.http().get('/v1/me').set(bearer(dev.token)).expect(200);
        await second.http().get('/v1/me').set(bearer(dev.token)).expect(200);
        await t.http().post('/v1/auth/logout').set(bearer(dev.token)).expect(204);
        await eventually(
          async () => (await second.http().get('/v1/me').set(bearer(dev.token))).status === 401,
          2_000,
          'the other process refusing the token',
        );
      } finally {
        await second.close();
      }
    });

    it('on password reset, every session of the account', async () => {
      const dev = await developer(t, 'reset');
      const second = await login(t, dev.email);
      await t.http().post('/v1/auth/password-reset/request').send({ email: dev.email }).expect(202);
      const mail = await t.smtp.waitFor((m) => m.to.includes(dev.email) && /Reset/.test(m.subject));
      const token = tokenFromLink(mail.text, '/reset-password')!;
      await t
        .http()
        .post('/v1/auth/password-reset/confirm')
        .send({ token, password: 'another uncommon passphrase 77' })
        .expect(204);
      await t.http().get('/v1/me').set(bearer(dev.token)).expect(401);
      await t.http().get('/v1/me').set(bearer(second)).expect(401);
      await t
        .http()
        .post('/v1/auth/password-reset/confirm')
        .send({ token, password: 'yet another uncommon passphrase' })
        .expect(409);
      await t.http().post('/v1/auth/login').send({ email: dev.email, password: PASSWORD }).expect(401);
      await login(t, dev.email, 'another uncommon passphrase 77');
    });

    it('answers a password-reset request the same way, after the same floor time, for unknown addresses', async () => {
      // Not a comparison of two wall-clock durations (noise on a shared machine is larger than any
      // sensible bound). What hides the address is deterministic: every answer waits out
      // RESET_REQUEST_FLOOR_MS from its start, and a known address's work (token, email) is done
      // inside that span. So both answers must take at least the floor, and the known one's email
      // must already be queued when its answer arrives. Without the floor the unknown one answers in
      // a few ms and fails here.
      const dev = await developer(t, 'timing');
      const resetEmails = async (to: string) =>
        (
          await t.dataSource.query(
            `SELECT 1 FROM outbox_messages WHERE recipient = $1 AND template = 'password-reset'`,
            [to],
          )
        ).length;
      const time = async (email: string) => {
        const started = process.hrtime.bigint();
        const res = await t.http().post('/v1/auth/password-reset/request').send({ email });
        return { status: res.status, body: res.body, ms: Number(process.hrtime.bigint() - started) / 1e6 };
      };
      const known = await time(dev.email);
      expect(await resetEmails(dev.email)).toBe(1);
      const ghost = uniqueEmail('ghost');
      const unknown = await time(ghost);
      expect(known.status).toBe(202);
      expect(unknown.status).toBe(202);
      expect(unknown.body).toEqual(known.body);
      // A timer may fire up to a millisecond early against the high-resolution clock.
      expect(known.ms).toBeGreaterThanOrEqual(RESET_REQUEST_FLOOR_MS - 2);
      expect(unknown.ms).toBeGreaterThanOrEqual(RESET_REQUEST_FLOOR_MS - 2);
      expect(await resetEmails(ghost)).toBe(0);
    });

    it('checks a password against a hash for an unknown address exactly as for a known one', async () => {
      // Login time must not tell whether an account exists. Instead of timing the two answers, count
      // the argon2 verifications: an unknown address is verified once against a stand-in hash, the
      // same work as a known address with a wrong password.
      const dev = await developer(t, 'verifies');
      const verify = jest.spyOn(passwords, 'verifyPassword');
      try {
        for (const email of [dev.email, uniqueEmail('nobody')]) {
          verify.mockClear();
          await t.http().post('/v1/auth/login').send({ email, password: 'not the right passphrase 1' }).expect(401);
          expect(verify).toHaveBeenCalledTimes(1);
          expect(verify.mock.calls[0]![0]).toMatch(/^\$argon2id\$/);
        }
      } finally {
        verify.mockRestore();
      }
    });

    it('on staff disablement, at once', async () => {
      const admin = await staff(t, 'admin');
      const reviewer = await staff(t, 'reviewer');
      await t.http().get('/v1/me').set(bearer(reviewer.token)).expect(200);
      await t.http().post(`/v1/admin/staff/${reviewer.id}/disable`).set(bearer(admin.token)).expect(204);
      await t.http().get('/v1/me').set(bearer(reviewer.token)).expect(401);
      await t
        .http()
        .post('/v1/auth/login')
        .send({ email: reviewer.email, password: PASSWORD, totp: '000000' })
        .expect(401);
    });

    it('staff with MFA must give a current code', async () => {
      const senior = await staff(t, 'senior_reviewer');
      await t.http().post('/v1/auth/login').send({ email: senior.email, password: PASSWORD }).expect(401);
      await t
        .http()
        .post('/v1/auth/login')
        .send({ email: senior.email, password: PASSWORD, totp: '000000' })
        .expect(401);
      // The current step's code confirmed enrolment and is spent; the next one is inside the drift window.
      const token = await login(t, senior.email, PASSWORD, nextCode(senior.totpSecret!));
      await t.http().get('/v1/admin/staff').set(bearer(token)).expect(403);
      await t.http().get('/v1/me').set(bearer(token)).expect(200);
    });
  });
  describe('one-time codes and links are spent once (RFC 6238 §5.2)', () => {
    const loginWith = (email: string, totp: string) =>
      t.http().post('/v1/auth/login').send({ email, password: PASSWORD, totp });

    it('refuses a TOTP code the second time, within its 30 s', async () => {
      const reviewer = await staff(t, 'reviewer');
      const code = nextCode(reviewer.totpSecret!);
      await loginWith(reviewer.email, code).expect(200);
      const again = await loginWith(reviewer.email, code);
      expect({ status: again.status, token: again.body.accessToken }).toEqual({ status: 401, token: undefined });
    });

    it('refuses the code that confirmed enrolment for signing in', async () => {
      const email = uniqueEmail('enrol');
      const input = { email, name: 'Enrol Staff', role: 'reviewer' as const, password: PASSWORD };
      await t.app.get(StaffService).create(input, { type: 'system', id: 'test' });
      const first = await login(t, email);
      const setup = await t.http().post('/v1/auth/mfa/totp/setup').set(bearer(first)).expect(200);
      const code = currentCode(setup.body.secret);
      await t.http().post('/v1/auth/mfa/totp/confirm').set(bearer(first)).send({ code }).expect(200);
      await loginWith(email, code).expect(401);
    });

    it('does not spend a code checked against a secret that a new setup replaced meanwhile', async () => {
      const email = uniqueEmail('resetup');
      await t.app
        .get(StaffService)
        .create(
          { email, name: 'Re-setup Staff', role: 'reviewer', password: PASSWORD },
          { type: 'system', id: 'test' },
        );
      const token = await login(t, email);
      const first = await t.http().post('/v1/auth/mfa/totp/setup').set(bearer(token)).expect(200);
      // confirm's read of the user, taken before a second setup lands
      const seenByConfirm = await t.dataSource.getRepository(User).findOneByOrFail({ email });
      await t.http().post('/v1/auth/mfa/totp/setup').set(bearer(token)).expect(200);
      expect(await t.app.get(MfaService).consumeCode(seenByConfirm, currentCode(first.body.secret))).toBe(false);
      const row = await t.dataSource.getRepository(User).findOneByOrFail({ email });
      expect(row.totpEnabledAt).toBeNull();
    });

    it('lets exactly one of two concurrent sign-ins with one code win', async () => {
      const senior = await staff(t, 'senior_reviewer');
      const code = nextCode(senior.totpSecret!);
      const answers = await Promise.all([loginWith(senior.email, code), loginWith(senior.email, code)]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
      const sessions = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND mfa_verified`,
        [senior.id],
      );
      // The enrolment session, and one of the two.
      expect(sessions[0].n).toBe(2);
    });

    it('refuses a code from a step older than the last accepted one, though inside the drift window', async () => {
      const reviewer = await staff(t, 'reviewer');
      const user = await t.dataSource.getRepository(User).findOneByOrFail({ id: reviewer.id });
      const mfa = t.app.get(MfaService);
      // An injected clock an hour ahead: steps nobody has used yet.
      const at = Date.now() + 3600_000;
      const manager = t.dataSource.manager;
      const spend = (steps: number) => mfa.consumeCode(user, codeAt(reviewer.totpSecret!, steps, at), manager, at);
      expect(await spend(0)).toBe(true);
      expect(await spend(-1)).toBe(false);
      expect(await spend(1)).toBe(true);
      expect(await spend(0)).toBe(false);
      expect(await spend(1)).toBe(false);
    });

    it('spends a password-reset link once, even when redeemed twice at once, and retires the older links', async () => {
      const dev = await developer(t, 'resetonce');
      for (let i = 0; i < 2; i++) {
        await t.http().post('/v1/auth/password-reset/request').send({ email: dev.email }).expect(202);
      }
      const mails = await eventually(
        () => {
          const found = t.smtp.messages.filter((m) => m.to.includes(dev.email) && /Reset/.test(m.subject));
          return found.length === 2 && found;
        },
        15_000,
        'two reset emails',
      );
      const [older, newer] = mails.map((m) => tokenFromLink(m.text, '/reset-password')!);
      const confirm = (token: string, password: string) =>
        t.http().post('/v1/auth/password-reset/confirm').send({ token, password });
      const both = await Promise.all([
        confirm(newer!, 'first uncommon passphrase 11'),
        confirm(newer!, 'second uncommon passphrase 22'),
      ]);
      expect(both.map((r) => r.status).sort()).toEqual([204, 409]);
      await confirm(older!, 'third uncommon passphrase 33').expect(409);
      const won = both[0]!.status === 204 ? 'first uncommon passphrase 11' : 'second uncommon passphrase 22';
      await login(t, dev.email, won);
    });
  });

  describe('one mailbox, one identity', () => {
    let n = 0;
    const tag = () => `${Date.now().toString(36)}${++n}`;
    const signup = (email: string) =>
      t.http().post('/v1/auth/signup').send({ email, password: PASSWORD, name: 'Same Mailbox' });
    const keyed = async (key: string) =>
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE email_key = $1`, [key]))[0].n;

    it('signs up one account per mailbox, whatever the spelling, and shows the address as typed', async () => {
      const id = tag();
      const typed = `\u00C5sa.${id}@Example.com`;
      const created = await signup(typed).expect(201);
      // Decomposed Å (the example), the Ångström sign, full-width letters, upper case.
      const variants = [
        `A\u030Asa.${id}@example.com`,
        `\u212Bsa.${id}@example.com`,
        `\u00C5\uFF53\uFF41.${id}@example.com`,
        `\u00C5SA.${id}@EXAMPLE.COM`,
      ];
      for (const variant of variants) {
        const res = await signup(variant);
        expect({ variant, status: res.status }).toEqual({ variant, status: 409 });
      }
      expect(await keyed(`\u00E5sa.${id}@example.com`)).toBe(1);
      const token = await login(t, `A\u030Asa.${id}@example.com`);
      const me = await t.http().get('/v1/me').set(bearer(token)).expect(200);
      expect(me.body).toMatchObject({ id: created.body.id, email: typed });
    });

    it('lets one of two concurrent sign-ups for one mailbox in, and answers the other 409', async () => {
      const id = tag();
      const answers = await Promise.all(
        [`\u00C5sa.Race.${id}@example.com`, `A\u030Asa.race.${id}@example.com`].map(signup),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      expect(await keyed(`\u00E5sa.race.${id}@example.com`)).toBe(1);
    });

    it('treats an IDN domain and its punycode as one domain', async () => {
      const id = tag();
      await signup(`ada.${id}@b\u00FCcher.example`).expect(201);
      await signup(`ada.${id}@XN--BCHER-KVA.example`).expect(409);
      await signup(`ada.${id}@B\u00DCCHER.EXAMPLE`).expect(409);
      await login(t, `ada.${id}@xn--bcher-kva.example`);
    });

    it('keeps an account locked whatever spelling signs in, and counts failures under every spelling', async () => {
      const id = tag();
      const email = `Mixed.Case.${id}@example.com`;
      await signup(email).expect(201);
      const attempt = (as: string, password: string) => t.http().post('/v1/auth/login').send({ email: as, password });
      for (let i = 0; i < 10; i++) await attempt(email, `wrong password attempt ${i}`).expect(401);
      // The example (dotted capital I), then dotless i and a full-width M.
      for (const local of ['M\u0130xed.Case', 'M\u0131xed.Case', '\uFF2Dixed.Case']) {
        const as = `${local}.${id}@example.com`;
        const res = await attempt(as, PASSWORD);
        expect({ as, status: res.status }).toEqual({ as, status: 429 });
      }

      const other = tag();
      await signup(`mixed.case.${other}@example.com`).expect(201);
      for (let i = 0; i < 10; i++) {
        const as = i % 2 ? `M\u0130XED.CASE.${other}@example.com` : `Mixed.Case.${other}@example.com`;
        await attempt(as, `wrong password attempt ${i}`).expect(401);
      }
      await attempt(`mixed.case.${other}@example.com`, PASSWORD).expect(429);
    });

    it('sends at most 3 reset emails an hour to a mailbox, whatever spellings ask', async () => {
      const resets = async (recipient: string) =>
        (
          await t.dataSource.query(
            `SELECT count(*)::int AS n FROM outbox_messages WHERE recipient = $1 AND template = 'password-reset'`,
            [recipient],
          )
        )[0].n;
      const ask = (email: string) => t.http().post('/v1/auth/password-reset/request').send({ email }).expect(202);

      const id = tag();
      const turkish = `Mixed.Reset.${id}@example.com`;
      await signup(turkish).expect(201);
      for (const local of ['Mixed.Reset', 'M\u0130xed.Reset', 'mixed.reset', 'M\u0130XED.RESET']) {
        await ask(`${local}.${id}@example.com`);
      }
      expect(await resets(turkish)).toBe(3);

      const nordic = `\u00C5sa.Reset.${id}@example.com`;
      await signup(nordic).expect(201);
      for (const local of ['A\u030Asa.Reset', '\u00C5sa.Reset', 'A\u030ASA.RESET', '\u212Bsa.reset']) {
        await ask(`${local}.${id}@example.com`);
      }
      // Mail goes to the address the account was created with, not to the spelling that asked.
      expect(await resets(nordic)).toBe(3);
      expect(await resets(`A\u030Asa.Reset.${id}@example.com`)).toBe(0);
    });

    it('binds invitations and membership to the mailbox, not the spelling', async () => {
      const owner = await developer(t, 'mailbox-owner');
      const created = await t.http().post('/v1/organisations').set(bearer(owner.token)).send(org('Mailbox Ltd'));
      const orgId = created.body.id;
      const invite = (email: string, role: string) =>
        t.http().post(`/v1/organisations/${orgId}/invitations`).set(bearer(owner.token)).send({ email, role });
      const id = tag();
      const typed = `Mixed.Invitee.${id}@example.com`;
      await signup(typed).expect(201);
      const verification = await t.smtp.waitFor((m) => m.to.includes(typed.toLowerCase()) || m.to.includes(typed));
      const verifyToken = tokenFromLink(verification.text, '/verify-email');
      await t.http().post('/v1/auth/verify-email').send({ token: verifyToken }).expect(204);
      const invitee = await login(t, typed);

      const invitedAs = `M\u0130xed.Invitee.${id}@example.com`;
      await invite(invitedAs, 'member').expect(201);
      // Mail goes to the address as the inviter typed it.
      const mail = await t.smtp.waitFor((m) => m.to.includes(invitedAs) && /invited you/.test(m.subject));
      const inviteToken = tokenFromLink(mail.text, '/invitations/accept');
      await t.http().post(`/v1/invitations/${inviteToken}/accept`).set(bearer(invitee)).expect(200);

      for (const again of [typed, `MIXED.INVITEE.${id}@EXAMPLE.COM`, `M\u0131xed.Invitee.${id}@example.com`]) {
        const res = await invite(again, 'admin');
        expect({ again, status: res.status }).toEqual({ again, status: 409 });
      }
    });

    it('refuses a second staff account for one mailbox from the admin API and from the command line', async () => {
      const admin = await staff(t, 'admin');
      const id = tag();
      const body = { name: 'Asa Staff', role: 'reviewer', password: PASSWORD };
      const create = (email: string) =>
        t
          .http()
          .post('/v1/admin/staff')
          .set(bearer(admin.token))
          .send({ ...body, email });
      await create(`\u00C5sa.Staff.${id}@example.com`).expect(201);
      await create(`A\u030Asa.staff.${id}@EXAMPLE.com`).expect(409);
      const env = { DATABASE_URL: t.db.url, STAFF_PASSWORD: PASSWORD, VAR_DIR: t.config.varDir };
      const args = ['--email', `\u212BSA.STAFF.${id}@example.com`, '--name', 'Asa Cli', '--role', 'admin'];
      const run = spawnEntry(join('src', 'cli', 'staff-create.ts'), env, args);
      const exited = { code: await run.exited, out: run.output() };
      expect(exited).toMatchObject({ code: 1, out: expect.stringContaining('already exists') });
      expect(await keyed(`\u00E5sa.staff.${id}@example.com`)).toBe(1);
    });
  });
});

describe('login brute force', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_LOCKOUT_SECONDS: '3', RATE_LIMIT_PER_MINUTE: '20' } });
  });
  afterAll(() => t.close());

  it('limits requests per token with 429 and Retry-After, without touching other tokens', async () => {
    const dev = await developer(t, 'busy');
    const other = await login(t, dev.email);
    // The limit counts per clock minute: run the clock from a minute's first second, so the window
    // cannot reset mid-test (rather than waiting for a minute boundary to pass).
    const restoreClock = runClockFrom(secondOfThisMinute(1));
    try {
      for (let i = 0; i < 20; i++) await t.http().get('/v1/me').set(bearer(dev.token)).expect(200);
      const limited = await t.http().get('/v1/me').set(bearer(dev.token));
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      await t.http().get('/v1/me').set(bearer(other)).expect(200);
    } finally {
      restoreClock();
    }
  });

  it('refuses the 11th attempt even with the right password, says so with Retry-After, and lifts after the window', async () => {
    const dev = await developer(t, 'brute');
    for (let i = 0; i < 10; i++)
      await t
        .http()
        .post('/v1/auth/login')
        .send({ email: dev.email, password: `wrong password attempt ${i}` })
        .expect(401);
    const locked = await t.http().post('/v1/auth/login').send({ email: dev.email, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body.detail).toMatch(/Too many failed sign-in attempts for this account/);
    // The answer is the same with a wrong password: it reveals nothing about the password.
    const lockedWrong = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: dev.email, password: 'still the wrong one' });
    expect({ status: lockedWrong.status, detail: lockedWrong.body.detail }).toEqual({
      status: 429,
      detail: locked.body.detail,
    });

    const failures = (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'account.login_failed' AND subject_id = $1`,
        [dev.id],
      )
    )[0].n;
    expect(failures).toBe(10);

    // The lock is a Redis counter with a TTL of LOGIN_LOCKOUT_SECONDS: wait for it to lapse (asking
    // the throttle, which records nothing), then the right password works again.
    const throttle = t.app.get(LoginThrottleService);
    await eventually(
      async () => (await throttle.assertNotLocked(dev.email, '192.0.2.1'), true),
      10_000,
      'the lockout to lift',
    );
    await login(t, dev.email);
  });
});

describe('the mailbox-key migration', () => {
  it('keys existing accounts; of colliding ones the verified, then the oldest keeps the key; no row lost', async () => {
    const name = `gatehouse_mailbox_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    const url = databaseUrl(name);
    const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(MailboxKeys1764292600000));
    const older = new DataSource({ ...dataSourceOptions(url, { poolSize: 2 }), migrations: before });
    const current = createDataSource(url, { poolSize: 2 });
    try {
      await older.initialize();
      await older.runMigrations();
      // The old citext key let all of these in: it folded case, but not Unicode forms or IDN.
      const people = [
        ['precomposed', '\u00C5sa@example.com', null, '2020-01-01'],
        ['decomposed', 'A\u030Asa@example.com', '2024-01-01', '2021-01-01'],
        ['full-width', '\uFF2Dixed.case@example.com', '2024-02-01', '2023-01-01'],
        ['mixed', 'Mixed.Case@Example.COM', null, '2022-01-01'],
        ['unicode', 'ada@b\u00FCcher.example', null, '2020-06-01'],
        ['punycode', 'ada@xn--bcher-kva.example', null, '2023-06-01'],
      ] as const;
      const ids: Record<string, string> = {};
      for (const [label, email, verifiedAt, createdAt] of people) {
        const [row] = (await older.query(
          `INSERT INTO users (kind, email, name, password_hash, email_verified_at, created_at)
           VALUES ('developer', $1, $2, 'x', $3, $4) RETURNING id`,
          [email, label, verifiedAt, createdAt],
        )) as { id: string }[];
        ids[label] = row!.id;
      }
      await older.destroy();

      await current.initialize();
      await runMigrations(current);
      const users = (await current.query(`SELECT name, email, email_key FROM users ORDER BY name`)) as unknown[];
      expect(users).toEqual([
        { name: 'decomposed', email: 'A\u030Asa@example.com', email_key: '\u00E5sa@example.com' },
        { name: 'full-width', email: '\uFF2Dixed.case@example.com', email_key: 'mixed.case@example.com' },
        { name: 'mixed', email: 'Mixed.Case@Example.COM', email_key: null },
        { name: 'precomposed', email: '\u00C5sa@example.com', email_key: null },
        { name: 'punycode', email: 'ada@xn--bcher-kva.example', email_key: null },
        { name: 'unicode', email: 'ada@b\u00FCcher.example', email_key: 'ada@xn--bcher-kva.example' },
      ]);
      const aside = (await current.query(`SELECT user_id, email_key, kept_user_id FROM mailbox_collisions`)) as [];
      expect(aside).toEqual(
        expect.arrayContaining([
          { user_id: ids.precomposed, email_key: '\u00E5sa@example.com', kept_user_id: ids.decomposed },
          { user_id: ids.mixed, email_key: 'mixed.case@example.com', kept_user_id: ids['full-width'] },
          { user_id: ids.punycode, email_key: 'ada@xn--bcher-kva.example', kept_user_id: ids.unicode },
        ]),
      );
      expect(aside).toHaveLength(3);
      // From now on the key is unique.
      const taken = '\u00E5sa@example.com';
      const claimKey = current.query(`UPDATE users SET email_key = $2 WHERE id = $1`, [ids.precomposed, taken]);
      await expect(claimKey).rejects.toThrow(/users_email_key_key/);
    } finally {
      if (older.isInitialized) await older.destroy();
      if (current.isInitialized) await current.destroy();
      await dropDatabase(name);
    }
  });
});
