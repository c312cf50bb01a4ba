import { readFileSync } from 'node:fs';
import { developmentKeyPath } from '../src/consents/decision/gateway-key';
import { REPLICA_LISTENER_NAME } from '../src/consents/decision/consent-replica';
import { bearer, seniorReviewer } from './harness/actors';
import { SandboxApp } from './harness/cases';
import { SignedInCustomer, consentingApp, grantConsent, sandboxCustomer } from './harness/consents';
import { authorize, oidc, thirdPartyApp } from './harness/oauth';
import { RunningProcess, freePort, spawnGatehouse } from './harness/processes';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

const SANDBOX = { SANDBOX_SEED: 'consent-decisions-e2e', SANDBOX_CUSTOMERS: '3' };

/** The window and categories of SPEC's example consent: account A1 only, first half of 2026, two categories. */
const EXAMPLE = {
  scopes: ['accounts:read', 'transactions:read'],
  window: { from: '2026-01-01', to: '2026-06-30' },
  categories: ['car_finance', 'mortgage'],
};

interface Answer {
  allow: boolean;
  reason: string;
  consentId: string | null;
  expiresAt: string | null;
  constraints: unknown;
}

/** Polls `/health/ready` of `baseUrl` until its consent replica reports `status`. */
async function replicaStatus(baseUrl: string, status: string, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const res = await fetch(`${baseUrl}/health/ready`);
      const body = (await res.json()) as { checks?: { consentReplica?: { status: string } } };
      return body.checks?.consentReplica?.status === status ? body.checks.consentReplica : undefined;
    },
    timeoutMs,
    `consent replica ${status} at ${baseUrl}`,
  );
}

async function decideAt(baseUrl: string, key: string, body: unknown): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${baseUrl}/v1/consent-decisions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

describe('consent decisions: POST /v1/consent-decisions', () => {
  let t: TestApp;
  let app: SandboxApp;
  let alice: SignedInCustomer;
  let bob: SignedInCustomer;
  let carol: SignedInCustomer;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ publicUrlIsBaseUrl: true, env: SANDBOX });
    ({ app } = await consentingApp(t, 'decisions'));
    alice = await sandboxCustomer(t, 0);
    bob = await sandboxCustomer(t, 1);
    carol = await sandboxCustomer(t, 2);
    key = readFileSync(developmentKeyPath(t.config.varDir), 'utf8').trim();
    await replicaStatus(t.baseUrl, 'current');
  });
  afterAll(() => t.close());

  const decide = async (body: Record<string, unknown>): Promise<Answer> => {
    const res = await t.http().post('/v1/consent-decisions').set(bearer(key)).send(body).expect(200);
    return res.body as Answer;
  };
  const as = (customer: SignedInCustomer) => (scope: string, resource?: Record<string, unknown>) => ({
    clientId: app.clientId,
    customerId: customer.sandboxId,
    scope,
    ...(resource ? { resource } : {}),
  });
  const asAlice = (scope: string, resource?: Record<string, unknown>) => as(alice)(scope, resource);
  /** Polls until the decision's reason is `reason` (changes reach every process within 1 s: SPEC). */
  const eventuallyReason = (body: Record<string, unknown>, reason: string) =>
    eventually(async () => ((await decide(body)).reason === reason ? true : undefined), 1_000, `reason ${reason}`);

  const grantExample = (customer = alice) =>
    grantConsent(t, app, customer, {
      scopes: EXAMPLE.scopes,
      constraints: {
        accountIds: [customer.accounts[0]!],
        transactionWindow: EXAMPLE.window,
        categories: EXAMPLE.categories,
      },
    });

  it('allows what the consent grants and names why it denies the rest', async () => {
    const consent = await grantExample();
    const [a1, a2] = [alice.accounts[0]!, alice.accounts[1] ?? 'another-account'];
    const read = { accountId: a1, transactionDate: '2026-03-05', category: 'car_finance' };
    await eventuallyReason(asAlice('transactions:read', read), 'allowed');
    expect(await decide(asAlice('transactions:read', read))).toEqual({
      allow: true,
      reason: 'allowed',
      consentId: consent.id,
      expiresAt: consent.expiresAt,
      constraints: {
        accountIds: [a1],
        transactionWindow: EXAMPLE.window,
        merchants: null,
        categories: EXAMPLE.categories,
      },
    });
    const denied = async (scope: string, resource: Record<string, unknown>) => {
      const answer = await decide(asAlice(scope, resource));
      expect(answer).toMatchObject({ allow: false, consentId: consent.id });
      return answer.reason;
    };
    expect(await denied('transactions:read', { ...read, accountId: a2 })).toBe('account_not_granted');
    expect(await denied('transactions:read', { ...read, transactionDate: '2026-07-01' })).toBe('outside_window');
    expect(await denied('transactions:read', { ...read, transactionDate: '2025-12-31T23:59:59Z' })).toBe(
      'outside_window',
    );
    expect(await denied('transactions:read', { ...read, category: 'groceries' })).toBe('category_not_granted');
    expect(await denied('balances:read', { accountId: a1 })).toBe('scope_not_granted');
  });

  it('answers no_consent for an unknown client or a customer without a consent', async () => {
    const none = { allow: false, reason: 'no_consent', consentId: null, expiresAt: null, constraints: null };
    expect(await decide({ clientId: 'sbx_unknown', customerId: alice.sandboxId, scope: 'accounts:read' })).toEqual(
      none,
    );
    expect(await decide({ clientId: app.clientId, customerId: bob.sandboxId, scope: 'accounts:read' })).toEqual(none);
  });

  it('follows a narrowing and a revocation made through the customer API', async () => {
    const consent = await grantExample(carol);
    const asCarol = as(carol);
    const march = asCarol('transactions:read', { accountId: carol.accounts[0], transactionDate: '2026-03-05' });
    await eventuallyReason(march, 'allowed');
    await t
      .http()
      .patch(`/v1/customer/consents/${consent.id}`)
      .set(bearer(carol.token))
      .send({ transactionWindow: { from: '2026-01-01', to: '2026-02-28' } })
      .expect(200);
    await eventuallyReason(march, 'outside_window');
    const feb = asCarol('transactions:read', { accountId: carol.accounts[0], transactionDate: '2026-02-14' });
    expect((await decide(feb)).reason).toBe('allowed');

    await t.http().delete(`/v1/customer/consents/${consent.id}`).set(bearer(carol.token)).expect(204);
    await eventuallyReason(feb, 'revoked');
    expect(await decide(feb)).toMatchObject({ allow: false, reason: 'revoked', consentId: consent.id });
  });

  it('stops a consent while its app or organisation is suspended, and restores it on reinstatement', async () => {
    const { app: other, dev } = await consentingApp(t, 'suspended-app');
    await grantConsent(t, other, bob, { scopes: ['accounts:read'] });
    const body = { clientId: other.clientId, customerId: bob.sandboxId, scope: 'accounts:read' };
    await eventuallyReason(body, 'allowed');
    const senior = await seniorReviewer(t);
    const review = (action: string) =>
      t.http().post(`/v1/review/apps/${other.id}/${action}`).set(bearer(senior.token)).send({ reason: 'Complaints' });
    await review('suspend').expect(200);
    await eventuallyReason(body, 'app_suspended');
    await review('reinstate').expect(200);
    await eventuallyReason(body, 'allowed');

    // An organisation is suspended by a senior reviewer only once approved; the replica follows the
    // organisations trigger whatever path sets the status, so the status is set directly here.
    await t.dataSource.query(`UPDATE organisations SET verification_status = 'suspended' WHERE id = $1`, [dev.orgId]);
    await eventuallyReason(body, 'app_suspended');
    await t.dataSource.query(`UPDATE organisations SET verification_status = 'unverified' WHERE id = $1`, [dev.orgId]);
    await eventuallyReason(body, 'allowed');
  });

  it('reloads when the change feed no longer holds the next change (pruned), and stays right', async () => {
    const { app: pruned } = await consentingApp(t, 'pruned-feed');
    const consent = await grantConsent(t, pruned, alice, { scopes: ['accounts:read'] });
    const body = { clientId: pruned.clientId, customerId: alice.sandboxId, scope: 'accounts:read' };
    await eventuallyReason(body, 'allowed');
    // The change and the pruning of the whole feed commit together: no replica can read the change row.
    const [{ seq }] = (await t.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE consents SET status = 'revoked', revoked_at = now(), revoked_by = 'staff', version = version + 1 WHERE id = $1`,
        [consent.id],
      );
      const changed = (await m.query(`SELECT gatehouse_consent_change($1, NULL, NULL)::int AS seq`, [consent.id])) as [
        { seq: number },
      ];
      await m.query(`DELETE FROM consent_changes`);
      return changed;
    })) as [{ seq: number }];
    await eventuallyReason(body, 'revoked');
    // Current again, past the pruned change: it reloaded rather than waiting for a row that will not come.
    await eventually(async () => {
      const status = (await replicaStatus(t.baseUrl, 'current', 100)) as unknown as { appliedSeq: number };
      return status.appliedSeq >= seq;
    }, 5_000);
  });

  it('answers token_invalid for an access token the authorisation server did not issue', async () => {
    expect(await decide({ accessToken: 'some-token', scope: 'accounts:read' })).toEqual({
      allow: false,
      reason: 'token_invalid',
      consentId: null,
      expiresAt: null,
      constraints: null,
    });
  });

  it('decides on the consent behind an access token from the authorisation server, until it is revoked', async () => {
    const config = await thirdPartyApp(t, app);
    const { callback, started } = await authorize(t, config, bob, { accountIds: [bob.accounts[0]] });
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const consentId = (tokens.authorization_details as unknown as { consentId: string }[])[0]!.consentId;
    const ask = async (accessToken: string, accountId = bob.accounts[0]) =>
      (
        await t
          .http()
          .post('/v1/consent-decisions')
          .set(bearer(key))
          .send({ accessToken, scope: 'accounts:read', resource: { accountId } })
          .expect(200)
      ).body as Answer;
    await eventually(async () => (await ask(tokens.access_token)).reason === 'allowed', 1_000, 'token allowed');
    expect(await ask(tokens.access_token)).toMatchObject({ allow: true, consentId });
    expect(await ask(tokens.access_token, bob.accounts[1] ?? 'another-account')).toMatchObject({
      allow: false,
      reason: 'account_not_granted',
    });
    await t.http().delete(`/v1/customer/consents/${consentId}`).set(bearer(bob.token)).expect(204);
    await eventually(
      async () => ['revoked', 'token_invalid'].includes((await ask(tokens.access_token)).reason),
      1_000,
      'token refused after revocation',
    );
    expect(await ask(tokens.access_token)).toMatchObject({ allow: false });
  });

  /** Headers that differ between any two answers (or with their body), not a property of the route. */
  const PER_ANSWER = ['date', 'content-length', 'content-type', 'x-request-id', 'connection', 'keep-alive', 'etag'];
  const routeHeaders = (headers: Record<string, string>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_ANSWER.includes(name)));

  it('answers ahead of express with the security headers and request id of every API answer', async () => {
    const health = await t.http().get('/health/live').expect(200);
    expect(health.headers['content-security-policy']).toBeDefined();
    const res = await t.http().post('/v1/consent-decisions').set(bearer(key)).send(asAlice('accounts:read'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(routeHeaders(res.headers)).toEqual(routeHeaders(health.headers));
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const traced = await t
      .http()
      .post('/v1/consent-decisions')
      .set(bearer(key))
      .set('X-Request-Id', 'gateway-trace-12345')
      .send(asAlice('accounts:read'));
    expect(traced.headers['x-request-id']).toBe('gateway-trace-12345');
    // Refusals too: problem+json with the same headers.
    const refused = await t.http().post('/v1/consent-decisions').send(asAlice('accounts:read')).expect(401);
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(refused.body).toMatchObject({
      status: 401,
      instance: '/v1/consent-decisions',
      requestId: expect.any(String),
    });
    expect(routeHeaders(refused.headers)).toEqual({ ...routeHeaders(health.headers), 'www-authenticate': 'Bearer' });
  });

  it('answers the same through express (a spelling only its router matches) as ahead of it', async () => {
    const body = asAlice('transactions:read', { accountId: alice.accounts[0]!, transactionDate: '2026-03-05' });
    const ahead = await t.http().post('/v1/consent-decisions').set(bearer(key)).send(body).expect(200);
    const viaExpress = await t.http().post('/V1/Consent-Decisions').set(bearer(key)).send(body).expect(200);
    expect(viaExpress.body).toEqual(ahead.body);
    expect(routeHeaders(viaExpress.headers)).toEqual(routeHeaders(ahead.headers));
    expect(viaExpress.headers['content-type']).toBe(ahead.headers['content-type']);
    for (const path of ['/v1/consent-decisions', '/V1/Consent-Decisions']) {
      const refused = await t
        .http()
        .post(path)
        .set(bearer(`${key}x`))
        .send(body)
        .expect(401);
      expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    }
  });

  it('refuses a missing or wrong gateway key with 401 and WWW-Authenticate', async () => {
    const body = asAlice('accounts:read');
    for (const header of [undefined, `Bearer ${key}x`, `Bearer ${alice.token}`, key]) {
      const req = t.http().post('/v1/consent-decisions').send(body);
      const res = await (header === undefined ? req : req.set('Authorization', header)).expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it.each([
    ['an empty body', {}, ['clientId', 'scope']],
    ['both forms', { accessToken: 'x', clientId: 'c', customerId: 's', scope: 'accounts:read' }, ['accessToken']],
    ['an unknown scope', { clientId: 'c', customerId: 's', scope: 'accounts:write' }, ['scope']],
    [
      'a bad resource',
      { clientId: 'c', customerId: 's', scope: 'accounts:read', resource: { transactionDate: '05/03/2026', x: 1 } },
      ['resource.x', 'resource.transactionDate'],
    ],
  ])('refuses %s with 400 problem+json naming the fields', async (_what, body, fields) => {
    const res = await t.http().post('/v1/consent-decisions').set(bearer(key)).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual(fields);
  });

  it('refuses a body larger than 16 KiB with 413 problem+json', async () => {
    const res = await t
      .http()
      .post('/v1/consent-decisions')
      .set(bearer(key))
      .send({ clientId: 'c', customerId: 'x'.repeat(20_000), scope: 'accounts:read' })
      .expect(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.requestId).toEqual(expect.any(String));
  });

  it('refuses a body that is not JSON with 400', async () => {
    await t
      .http()
      .post('/v1/consent-decisions')
      .set(bearer(key))
      .set('content-type', 'application/json')
      .send('{"scope":')
      .expect(400);
  });
});

describe('consent decisions across API processes', () => {
  let t: TestApp;
  let app: SandboxApp;
  let alice: SignedInCustomer;
  let key: string;
  const processes: { run: RunningProcess; url: string }[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: SANDBOX });
    ({ app } = await consentingApp(t, 'decisions-multi'));
    alice = await sandboxCustomer(t, 0);
    key = readFileSync(developmentKeyPath(t.config.varDir), 'utf8').trim();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const run = spawnGatehouse({
        NODE_ENV: 'test',
        GATEHOUSE_ROLE: 'api',
        PORT: String(port),
        DATABASE_URL: t.db.url,
        MIGRATE_ON_START: 'false',
        REDIS_URL: t.config.redis.url,
        REDIS_PREFIX: t.config.redis.prefix,
        VAR_DIR: t.config.varDir,
        SMTP_URL: t.smtp.url,
        LOG_LEVEL: 'warn',
        // A dropped listener stays down long enough for the test to act while it is, and the
        // heartbeat is slow enough not to catch up in between: a process that trusted its replica
        // while not listening would answer from stale data and allow.
        CONSENT_REPLICA_RECONNECT_MS: '5000',
        CONSENT_REPLICA_HEARTBEAT_MS: '2000',
        ...SANDBOX,
      });
      processes.push({ run, url: `http://127.0.0.1:${port}` });
    }
    await Promise.all(
      processes.map(({ run, url }) =>
        eventually(
          async () => {
            if (run.child.exitCode !== null) throw new Error(`exited: ${run.output()}`);
            return (await replicaStatus(url, 'current', 100).catch(() => undefined)) ?? undefined;
          },
          90_000,
          `API process at ${url}`,
        ),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    for (const { run } of processes) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    await t.close();
  });

  const body = () => ({ clientId: app.clientId, customerId: alice.sandboxId, scope: 'accounts:read' });
  /** Waits until every process's replica holds every change committed so far (so it answers alone). */
  const replicasCaughtUp = async () => {
    const [{ seq }] = (await t.dataSource.query(`SELECT seq::int AS seq FROM consent_change_counter`)) as [
      { seq: number },
    ];
    for (const { url } of processes)
      await eventually(
        async () => {
          const ready = (await (await fetch(`${url}/health/ready`)).json()) as {
            checks: { consentReplica: { status: string; appliedSeq: number } };
          };
          const replica = ready.checks.consentReplica;
          return replica.status === 'current' && replica.appliedSeq >= seq;
        },
        10_000,
        `replica at ${url} past change ${seq}`,
      );
  };
  const reasonAt = async (url: string) => {
    const res = await decideAt(url, key, body());
    expect(res.status).toBe(200);
    return res.body.reason;
  };

  it('denies a revoked consent in every API process within 1 s', async () => {
    const consent = await grantConsent(t, app, alice, { scopes: ['accounts:read'] });
    await replicasCaughtUp();
    for (const { url } of processes) expect(await reasonAt(url)).toBe('allowed');

    const revokedAt = Date.now();
    await t.http().delete(`/v1/customer/consents/${consent.id}`).set(bearer(alice.token)).expect(204);
    const took = await Promise.all(
      processes.map(async ({ url }) => {
        await eventually(async () => (await reasonAt(url)) === 'revoked', 5_000, `revocation seen at ${url}`);
        return Date.now() - revokedAt;
      }),
    );
    for (const ms of took) expect(ms).toBeLessThanOrEqual(1_000);
  });

  it('answers from PostgreSQL while its change listener is down, never allowing, and recovers', async () => {
    const consent = await grantConsent(t, app, alice, { scopes: ['accounts:read'] });
    await replicasCaughtUp();
    for (const { url } of processes) expect(await reasonAt(url)).toBe('allowed');

    const killed = (await t.dataSource.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
      [REPLICA_LISTENER_NAME],
    )) as { ok: boolean }[];
    // The two spawned processes and this test's own app.
    expect(killed.filter((k) => k.ok).length).toBeGreaterThanOrEqual(3);
    for (const { url } of processes) await replicaStatus(url, 'disconnected', 5_000);

    await t.http().delete(`/v1/customer/consents/${consent.id}`).set(bearer(alice.token)).expect(204);
    for (const { url } of processes) {
      expect(await reasonAt(url)).toBe('revoked');
      // Still down when it answered: the answer came from PostgreSQL, not from the listener.
      expect(await replicaStatus(url, 'disconnected', 100)).toBeDefined();
    }

    for (const { url } of processes) await replicaStatus(url, 'current', 20_000);
    for (const { url } of processes) expect(await reasonAt(url)).toBe('revoked');
  });
});
