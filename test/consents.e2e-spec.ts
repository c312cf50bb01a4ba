import { randomUUID } from 'node:crypto';
import { Actor, bearer, developer, staff } from './harness/actors';
import { SandboxApp } from './harness/cases';
import { SignedInCustomer, consentingApp, grantConsent, sandboxCustomer } from './harness/consents';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';
import { webhookReceiver } from './harness/webhook-receiver';

describe('customer consents: the customer API', () => {
  let t: TestApp;
  let app: SandboxApp;
  let dev: Actor & { orgId: string };
  let alice: SignedInCustomer;
  let bob: SignedInCustomer;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

  beforeAll(async () => {
    t = await startTestApp({ env: { SANDBOX_SEED: 'consents-e2e', SANDBOX_CUSTOMERS: '3' } });
    ({ app, dev } = await consentingApp(t, 'consents'));
    alice = await sandboxCustomer(t, 0);
    bob = await sandboxCustomer(t, 1);
    hooks = await webhookReceiver();
    await t
      .http()
      .put(`/v1/organisations/${dev.orgId}/apps/${app.id}/webhook`)
      .set(bearer(dev.token))
      .send({ url: hooks.url })
      .expect(200);
  });
  afterAll(async () => {
    await hooks.close();
    await t.close();
  });

  const as = (c: SignedInCustomer) => bearer(c.token);

  it('shows a granted consent with its receipt, sealed by a SHA-256 over what the customer agreed to', async () => {
    const granted = await grantConsent(t, app, alice, {
      constraints: {
        transactionWindow: { from: '2026-01-01', to: '2026-06-30' },
        categories: ['car_finance', 'mortgage'],
      },
    });
    const res = await t.http().get(`/v1/customer/consents/${granted.id}`).set(as(alice)).expect(200);
    expect(res.body).toMatchObject({
      id: granted.id,
      appId: app.id,
      status: 'active',
      version: 1,
      scopes: app.scopes,
      constraints: {
        accountIds: [alice.accounts[0]],
        transactionWindow: { from: '2026-01-01', to: '2026-06-30' },
        merchants: null,
        categories: ['car_finance', 'mortgage'],
      },
    });
    expect(res.body.receipt).toMatchObject({ version: 1, decision: 'approved', scopes: app.scopes });
    expect(res.body.receipt.wording).toContain('2026-01-01 to 2026-06-30');
    expect(res.body.receipt.sha256).toMatch(/^[0-9a-f]{64}$/);
    const listed = await t.http().get('/v1/customer/consents?status=active').set(as(alice)).expect(200);
    expect(listed.body.data.map((c: { id: string }) => c.id)).toContain(granted.id);
  });

  it('narrows only: widening is 422 naming the field, shortening the window bumps the version', async () => {
    const c = await grantConsent(t, app, alice, {
      scopes: ['accounts:read', 'transactions:read'],
      constraints: { transactionWindow: { from: '2026-01-01', to: '2026-06-30' } },
    });
    const url = `/v1/customer/consents/${c.id}`;
    const wider = await t
      .http()
      .patch(url)
      .set(as(alice))
      .send({ transactionWindow: { from: '2025-12-01', to: '2026-06-30' } })
      .expect(422);
    expect(wider.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(wider.body.errors).toEqual([{ field: 'transactionWindow', message: expect.any(String) }]);
    const scope = await t
      .http()
      .patch(url)
      .set(as(alice))
      .send({ scopes: ['accounts:read', 'transactions:read', 'balances:read'] });
    expect([scope.status, scope.body.errors?.[0]?.field]).toEqual([422, 'scopes']);

    const shorter = await t
      .http()
      .patch(url)
      .set(as(alice))
      .send({ transactionWindow: { from: '2026-01-01', to: '2026-03-31' } })
      .expect(200);
    expect(shorter.body).toMatchObject({
      version: 2,
      constraints: { transactionWindow: { from: '2026-01-01', to: '2026-03-31' } },
    });
    expect(shorter.body.receipts.map((r: { version: number }) => r.version)).toEqual([2, 1]);
  });

  it("hides another customer's consent behind 404 on every route", async () => {
    const c = await grantConsent(t, app, alice);
    await t.http().get(`/v1/customer/consents/${c.id}`).set(as(bob)).expect(404);
    await t
      .http()
      .patch(`/v1/customer/consents/${c.id}`)
      .set(as(bob))
      .send({ scopes: ['accounts:read'] })
      .expect(404);
    await t.http().delete(`/v1/customer/consents/${c.id}`).set(as(bob)).expect(404);
    await t.http().delete(`/v1/customer/apps/${app.id}/consents`).set(as(bob)).expect(404);
    const still = await t.http().get(`/v1/customer/consents/${c.id}`).set(as(alice)).expect(200);
    expect(still.body).toMatchObject({ status: 'active', version: 1 });
  });

  it('revokes one consent, then all of an app, once each, with an audit entry per revocation', async () => {
    const one = await grantConsent(t, app, bob);
    const two = await grantConsent(t, app, bob);
    await t.http().delete(`/v1/customer/consents/${one.id}`).set(as(bob)).expect(204);
    await t.http().delete(`/v1/customer/consents/${one.id}`).set(as(bob)).expect(204);
    const all = await t.http().delete(`/v1/customer/apps/${app.id}/consents`).set(as(bob)).expect(200);
    expect(all.body).toEqual({ revoked: 1 });
    for (const id of [one.id, two.id]) {
      const res = await t.http().get(`/v1/customer/consents/${id}`).set(as(bob)).expect(200);
      expect(res.body).toMatchObject({ status: 'revoked', revokedBy: 'customer', version: 2 });
    }
    const audits = await t.dataSource.query(
      `SELECT subject_id FROM audit_entries WHERE action = 'consent.revoked' AND subject_id = ANY($1)`,
      [[one.id, two.id]],
    );
    expect(audits).toHaveLength(2);
    const apps = await t.http().get('/v1/customer/apps').set(as(bob)).expect(200);
    expect(apps.body.data).toEqual([
      expect.objectContaining({ appId: app.id, consentsCount: 2, activeConsentsCount: 0, scopes: [] }),
    ]);
  });

  it('emails the customer the receipt of a new consent', async () => {
    await grantConsent(t, app, alice);
    const mail = await eventually(
      () => t.smtp.messages.find((m) => m.to.includes(alice.email)),
      15_000,
      'the consent email',
    );
    expect(mail.subject).toContain(`You gave ${'Budgetly'} access to your data`);
  });

  /** Everything a refused request must leave alone: the consent row, its receipts, audit entries and webhooks. */
  const snapshot = async (consentId: string) =>
    JSON.stringify([
      await t.dataSource.query(`SELECT * FROM consents WHERE id = $1`, [consentId]),
      await t.dataSource.query(`SELECT version, sha256 FROM consent_receipts WHERE consent_id = $1 ORDER BY version`, [
        consentId,
      ]),
      await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_entries WHERE subject_id = $1`, [consentId]),
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM webhook_deliveries WHERE payload->'data'->>'consentId' = $1`,
        [consentId],
      ),
    ]);
  /** The webhook events the app has been sent about one consent, as the database queued them. */
  const queued = async (consentId: string) =>
    (
      (await t.dataSource.query(
        `SELECT event_type FROM webhook_deliveries WHERE payload->'data'->>'consentId' = $1 ORDER BY created_at`,
        [consentId],
      )) as { event_type: string }[]
    ).map((r) => r.event_type);

  it('answers bad input on every consent route with a 4xx problem and changes nothing', async () => {
    const c = await grantConsent(t, app, alice, {
      constraints: {
        accountIds: alice.accounts.slice(0, 2),
        transactionWindow: { from: '2026-01-01', to: '2026-06-30' },
        merchants: ['Tesco'],
        categories: ['groceries', 'bills'],
      },
    });
    const url = `/v1/customer/consents/${c.id}`;
    const [a0, a1] = alice.accounts as [string, string];
    const later = new Date(Date.parse(c.expiresAt) + 3_600_000).toISOString();
    const before = await snapshot(c.id);
    const patches: [what: string, body: string | object, status: number, field?: string][] = [
      ['an unknown field', { admin: true }, 400, 'admin'],
      ['an unknown field in the window', { transactionWindow: { from: '2026-01-01', to: '2026-02-01', x: 1 } }, 400],
      ['malformed JSON', '{"scopes": ', 400],
      ['a JSON array body', '[]', 400],
      ['scopes as a string', { scopes: 'accounts:read' }, 400, 'scopes'],
      ['an account id as a number', { accountIds: [1] }, 400, 'accountIds'],
      ['categories as an object', { categories: { groceries: true } }, 400, 'categories'],
      ['the window as a string', { transactionWindow: '2026-01-01/2026-02-01' }, 400, 'transactionWindow'],
      ['expiresAt as a number', { expiresAt: Date.now() + 3_600_000 }, 400, 'expiresAt'],
      ['no accounts', { accountIds: [] }, 400, 'accountIds'],
      ['no scopes', { scopes: [] }, 400, 'scopes'],
      ['no merchants', { merchants: [] }, 400, 'merchants'],
      ['no categories', { categories: [] }, 400, 'categories'],
      ['a duplicate account', { accountIds: [a0, a0] }, 400, 'accountIds'],
      ['a duplicate scope', { scopes: ['accounts:read', 'accounts:read'] }, 400, 'scopes'],
      ['a duplicate category', { categories: ['bills', 'bills'] }, 400, 'categories'],
      ['a duplicate merchant', { merchants: ['Tesco', 'Tesco'] }, 400, 'merchants'],
      ['a merchant twice in another case', { merchants: ['Tesco', ' TESCO '] }, 400, 'merchants'],
      ['an empty merchant', { merchants: [''] }, 400, 'merchants'],
      ['an overlong merchant', { merchants: ['x'.repeat(101)] }, 400, 'merchants'],
      ['an unknown scope', { scopes: ['everything:write'] }, 400, 'scopes'],
      ['an unknown category', { categories: ['crypto'] }, 400, 'categories'],
      ['a date that does not exist', { transactionWindow: { from: '2026-02-30', to: '2026-03-31' } }, 400],
      ['a window from after to', { transactionWindow: { from: '2026-03-01', to: '2026-02-01' } }, 400],
      ['a window without to', { transactionWindow: { from: '2026-03-01' } }, 400],
      ['a window with timestamps', { transactionWindow: { from: '2026-03-01T00:00:00Z', to: '2026-03-31' } }, 400],
      ['expiresAt without a time zone', { expiresAt: '2026-12-20T00:00:00' }, 400, 'expiresAt'],
      ['expiresAt on a day that does not exist', { expiresAt: '2027-02-30T00:00:00Z' }, 400, 'expiresAt'],
      ['expiresAt in words', { expiresAt: 'tomorrow' }, 400, 'expiresAt'],
      ['expiresAt later than now agreed', { expiresAt: later }, 422, 'expiresAt'],
      ['expiresAt in the past', { expiresAt: '2020-01-01T00:00:00Z' }, 422, 'expiresAt'],
      ['an account not in the consent', { accountIds: [a0, bob.accounts[0]] }, 422, 'accountIds'],
      ['a scope not in the consent', { scopes: ['accounts:read', 'payees:read'] }, 422, 'scopes'],
      ['a wider window', { transactionWindow: { from: '2026-01-01', to: '2026-07-01' } }, 422, 'transactionWindow'],
      ['removing the window', { transactionWindow: null }, 422, 'transactionWindow'],
      ['a merchant not in the consent', { merchants: ['Tesco', 'Sandbox Diner'] }, 422, 'merchants'],
      ['removing the merchant restriction', { merchants: null }, 422, 'merchants'],
      ['a category not in the consent', { categories: ['groceries', 'cash'] }, 422, 'categories'],
      ['removing the category restriction', { categories: null }, 422, 'categories'],
      // The first widening field is named even when a later one narrows.
      ['widening and narrowing at once', { accountIds: [a1, bob.accounts[0]], scopes: ['accounts:read'] }, 422],
    ];
    const seen: [string, number, string | undefined][] = [];
    const wanted: [string, number, string | undefined][] = [];
    for (const [what, body, status, field] of patches) {
      const req = t.http().patch(url).set(as(alice));
      const res = await (typeof body === 'string'
        ? req.set('content-type', 'application/json').send(body)
        : req.send(body));
      expect([what, res.headers['content-type']]).toEqual([what, expect.stringMatching(/^application\/problem\+json/)]);
      const fields = (res.body.errors ?? []) as { field: string }[];
      seen.push([what, res.status, field && fields.some((e) => e.field === field) ? field : fields[0]?.field]);
      wanted.push([what, status, field ?? fields[0]?.field]);
    }
    expect(seen).toEqual(wanted);

    const other = randomUUID();
    const elsewhere: [method: 'get' | 'patch' | 'delete', path: string, status: number][] = [
      ['get', '/v1/customer/consents/not-a-uuid', 404],
      ['get', `/v1/customer/consents/${other}`, 404],
      ['get', `/v1/customer/consents/${c.id.toUpperCase()}x`, 404],
      ['patch', '/v1/customer/consents/not-a-uuid', 404],
      ['patch', `/v1/customer/consents/${other}`, 404],
      ['delete', '/v1/customer/consents/not-a-uuid', 404],
      ['delete', `/v1/customer/consents/${other}`, 404],
      ['delete', '/v1/customer/apps/not-a-uuid/consents', 404],
      ['delete', `/v1/customer/apps/${other}/consents`, 404],
      ['get', '/v1/customer/consents?status=paused', 400],
      ['get', '/v1/customer/consents?status=', 400],
      ['get', '/v1/customer/consents?status=active&status=revoked', 400],
      ['get', '/v1/customer/consents?limit=0', 400],
      ['get', '/v1/customer/consents?limit=201', 400],
      ['get', '/v1/customer/consents?limit=ten', 400],
      ['get', '/v1/customer/consents?cursor=WyJ4IiwieSJd', 400],
      ['get', '/v1/customer/consents?customerId=someone-else', 400],
      ['get', '/v1/customer/apps?limit=-1', 400],
      ['get', '/v1/customer/apps?cursor=%25%25%25', 400],
      [
        'get',
        `/v1/customer/apps?cursor=${encodeURIComponent(Buffer.from('["customer-consents","x"]').toString('base64url'))}`,
        400,
      ],
    ];
    const statuses: [string, string, number][] = [];
    for (const [method, path, status] of elsewhere) {
      const res = await t
        .http()
        [method](path)
        .set(as(alice))
        .send(method === 'patch' ? { scopes: ['accounts:read'] } : undefined);
      expect([path, res.headers['content-type']]).toEqual([path, expect.stringMatching(/^application\/problem\+json/)]);
      statuses.push([method, path, res.status]);
      expect(statuses[statuses.length - 1]).toEqual([method, path, status]);
    }
    expect(await snapshot(c.id)).toBe(before);
  });

  it("keeps another customer's consents and apps behind 404, and changes nothing of them", async () => {
    const c = await grantConsent(t, app, alice);
    const before = await snapshot(c.id);
    const { app: unused } = await consentingApp(t, 'consents-unused');
    const cases: [method: 'get' | 'patch' | 'delete', path: string][] = [
      ['get', `/v1/customer/consents/${c.id}`],
      ['patch', `/v1/customer/consents/${c.id}`],
      ['delete', `/v1/customer/consents/${c.id}`],
      ['delete', `/v1/customer/apps/${unused.id}/consents`],
    ];
    for (const [method, path] of cases) {
      const res = await t
        .http()
        [method](path)
        .set(as(bob))
        .send(method === 'patch' ? { scopes: ['accounts:read'] } : undefined);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(res.body)).not.toContain(alice.email);
    }
    // An app the customer never consented to, though others did.
    await t.http().delete(`/v1/customer/apps/${unused.id}/consents`).set(as(alice)).expect(404);
    const list = await t.http().get('/v1/customer/consents').set(as(bob)).expect(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(c.id);
    expect(await snapshot(c.id)).toBe(before);
  });

  it('keeps customer and developer credentials to their own routes', async () => {
    const c = await grantConsent(t, app, alice);
    const before = await snapshot(c.id);
    const someone = await developer(t, 'consents-dev');
    const reviewer = await staff(t, 'reviewer');
    const customerRoutes: [method: 'get' | 'patch' | 'delete', path: string][] = [
      ['get', '/v1/customer/apps'],
      ['get', '/v1/customer/consents'],
      ['get', `/v1/customer/consents/${c.id}`],
      ['patch', `/v1/customer/consents/${c.id}`],
      ['delete', `/v1/customer/consents/${c.id}`],
      ['delete', `/v1/customer/apps/${app.id}/consents`],
    ];
    for (const token of [undefined, someone.token, dev.token, reviewer.token]) {
      for (const [method, path] of customerRoutes) {
        let req = t.http()[method](path);
        if (token) req = req.set(bearer(token));
        const res = await (method === 'patch' ? req.send({ scopes: ['accounts:read'] }) : req);
        expect([method, path, res.status]).toEqual([method, path, 401]);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    }
    // …and a customer's token opens no developer route, not even the app's consents.
    await t.http().get(`/v1/organisations/${dev.orgId}/apps/${app.id}/consents`).set(as(alice)).expect(401);
    await t.http().get(`/v1/organisations/${dev.orgId}/apps/${app.id}`).set(as(alice)).expect(401);
    expect(await snapshot(c.id)).toBe(before);
  });

  it('narrows each field: version and receipt move by one and the app hears consent.narrowed with the new terms', async () => {
    const c = await grantConsent(t, app, alice, {
      scopes: ['accounts:read', 'balances:read', 'transactions:read'],
      constraints: {
        accountIds: alice.accounts.slice(0, 2),
        transactionWindow: { from: '2026-01-01', to: '2026-06-30' },
      },
    });
    const url = `/v1/customer/consents/${c.id}`;
    const earlier = new Date(Date.parse(c.expiresAt) - 86_400_000).toISOString();
    const steps: [field: string, body: object, expected: object][] = [
      ['accountIds', { accountIds: [alice.accounts[1]] }, { constraints: { accountIds: [alice.accounts[1]] } }],
      [
        'scopes',
        { scopes: ['transactions:read', 'accounts:read'] },
        { scopes: ['transactions:read', 'accounts:read'] },
      ],
      [
        'transactionWindow',
        { transactionWindow: { from: '2026-02-01', to: '2026-06-30' } },
        { constraints: { transactionWindow: { from: '2026-02-01', to: '2026-06-30' } } },
      ],
      ['merchants', { merchants: ['  Sandbox   DINER '] }, { constraints: { merchants: ['sandbox diner'] } }],
      ['categories', { categories: ['eating_out'] }, { constraints: { categories: ['eating_out'] } }],
      ['expiresAt', { expiresAt: earlier }, { expiresAt: earlier }],
    ];
    let version = 1;
    for (const [field, body, expected] of steps) {
      const res = await t.http().patch(url).set(as(alice)).send(body).expect(200);
      version++;
      expect(res.body).toMatchObject({ version, ...expected });
      expect(res.body.receipt).toMatchObject({ version, decision: 'narrowed' });
      expect(res.body.receipts.map((r: { version: number }) => r.version)).toEqual(
        Array.from({ length: version }, (_, i) => version - i),
      );
      const event = await eventually(
        () =>
          hooks.events.find(
            (e) => e.type === 'consent.narrowed' && e.data.consentId === c.id && e.data.version === version,
          ),
        15_000,
        `the consent.narrowed webhook for ${field}`,
      );
      expect(event.data).toMatchObject({
        appId: app.id,
        changed: [field],
        scopes: res.body.scopes,
        constraints: res.body.constraints,
        expiresAt: res.body.expiresAt,
      });
      expect(JSON.stringify(event)).not.toContain(alice.email);
    }
    // Sending the terms as they are changes nothing: same version, no receipt, no webhook.
    const current = (await t.http().get(url).set(as(alice)).expect(200)).body;
    const before = await snapshot(c.id);
    const same = await t
      .http()
      .patch(url)
      .set(as(alice))
      .send({
        scopes: [...current.scopes].reverse(),
        accountIds: current.constraints.accountIds,
        transactionWindow: current.constraints.transactionWindow,
        merchants: ['SANDBOX DINER'],
        categories: current.constraints.categories,
        expiresAt: current.expiresAt,
      })
      .expect(200);
    expect(same.body).toMatchObject({ version, receipt: { version } });
    await t.http().patch(url).set(as(alice)).send({}).expect(200);
    expect(await snapshot(c.id)).toBe(before);
    expect(await queued(c.id)).toEqual(Array(steps.length).fill('consent.narrowed'));
  });

  it('revokes once: the app hears consent.revoked once and the audit log has one entry, however often the customer asks', async () => {
    const c = await grantConsent(t, app, alice);
    const url = `/v1/customer/consents/${c.id}`;
    await Promise.all([1, 2, 3].map(() => t.http().delete(url).set(as(alice)).expect(204)));
    await t.http().delete(url).set(as(alice)).expect(204);
    const event = await eventually(
      () => hooks.events.find((e) => e.type === 'consent.revoked' && e.data.consentId === c.id),
      15_000,
      'the consent.revoked webhook',
    );
    expect(event.data).toMatchObject({ appId: app.id, revokedBy: 'customer', environment: 'sandbox' });
    expect(await queued(c.id)).toEqual(['consent.revoked']);
    const audits = await t.dataSource.query(
      `SELECT action FROM audit_entries WHERE subject_id = $1 AND action = 'consent.revoked'`,
      [c.id],
    );
    expect(audits).toHaveLength(1);
    // An ended consent cannot be narrowed: 409, and still nothing changes.
    const before = await snapshot(c.id);
    const res = await t
      .http()
      .patch(url)
      .set(as(alice))
      .send({ scopes: ['accounts:read'] })
      .expect(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await snapshot(c.id)).toBe(before);
    const all = await t.http().delete(`/v1/customer/apps/${app.id}/consents`).set(as(alice)).expect(200);
    expect(await queued(c.id)).toEqual(['consent.revoked']);
    expect(all.body.revoked).toBeGreaterThanOrEqual(0);
  });

  it('refuses to narrow a consent whose expiry has passed, though the expiry job has not run yet', async () => {
    const c = await grantConsent(t, app, alice, { scopes: ['accounts:read', 'balances:read'] });
    await t.dataSource.query(`UPDATE consents SET expires_at = now() - interval '1 minute' WHERE id = $1`, [c.id]);
    const before = await snapshot(c.id);
    const res = await t
      .http()
      .patch(`/v1/customer/consents/${c.id}`)
      .set(as(alice))
      .send({ scopes: ['accounts:read'] })
      .expect(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/expired/);
    expect(await snapshot(c.id)).toBe(before);
  });

  describe("the developer's view of an app's consents", () => {
    let viewApp: SandboxApp;
    let viewDev: Actor & { orgId: string };
    beforeAll(async () => {
      ({ app: viewApp, dev: viewDev } = await consentingApp(t, 'consents-view'));
      await grantConsent(t, viewApp, alice);
      await grantConsent(t, viewApp, alice, { scopes: ['accounts:read'] });
      const ended = await grantConsent(t, viewApp, bob);
      await t.http().delete(`/v1/customer/consents/${ended.id}`).set(as(bob)).expect(204);
    });
    const path = () => `/v1/organisations/${viewDev.orgId}/apps/${viewApp.id}/consents`;

    it('counts by status and pages, with no customer personal data', async () => {
      const first = await t.http().get(path()).query({ limit: '2' }).set(bearer(viewDev.token)).expect(200);
      expect(first.body.counts).toEqual({ active: 2, revoked: 1, expired: 0 });
      expect(first.body.data).toHaveLength(2);
      const second = await t
        .http()
        .get(path())
        .query({ limit: '2', cursor: first.body.nextCursor })
        .set(bearer(viewDev.token))
        .expect(200);
      expect(second.body).toMatchObject({ nextCursor: null, counts: first.body.counts });
      const all = [...first.body.data, ...second.body.data];
      expect(all.map((c: { status: string }) => c.status).sort()).toEqual(['active', 'active', 'revoked']);
      expect(new Set(all.map((c: { id: string }) => c.id)).size).toBe(3);
      const text = JSON.stringify([first.body, second.body]);
      for (const who of [alice, bob]) {
        for (const personal of [who.email, who.sandboxId, who.customerId]) expect(text).not.toContain(personal);
      }
      for (const c of all) {
        expect(Object.keys(c).sort()).toEqual(
          [
            'constraints',
            'createdAt',
            'environment',
            'expiresAt',
            'id',
            'lastUsedAt',
            'revokedAt',
            'revokedBy',
            'scopes',
            'status',
            'version',
          ].sort(),
        );
      }
    });

    it('lets a member read it, and hides it from another organisation', async () => {
      const member = await developer(t, 'consents-member');
      await t.dataSource.query(
        `INSERT INTO organisation_members (organisation_id, user_id, role) VALUES ($1, $2, 'member')`,
        [viewDev.orgId, member.id],
      );
      await t.http().get(path()).set(bearer(member.token)).expect(200);
      const { dev: outsider, app: theirApp } = await consentingApp(t, 'consents-outsider');
      await t.http().get(path()).set(bearer(outsider.token)).expect(404);
      // Their own organisation in the path does not reach the app either.
      await t
        .http()
        .get(`/v1/organisations/${outsider.orgId}/apps/${viewApp.id}/consents`)
        .set(bearer(outsider.token))
        .expect(404);
      await t
        .http()
        .get(`/v1/organisations/${viewDev.orgId}/apps/${theirApp.id}/consents`)
        .set(bearer(viewDev.token))
        .expect(404);
      await t
        .http()
        .get(`/v1/organisations/${viewDev.orgId}/apps/not-a-uuid/consents`)
        .set(bearer(viewDev.token))
        .expect(404);
      const bad = await t.http().get(path()).query({ limit: '0' }).set(bearer(viewDev.token)).expect(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
});
