import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EchoModule } from './harness/echo.module';
import { freePort, spawnGatehouse } from './harness/processes';
import { startPrivateRedis } from './harness/redis-server';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

describe('foundation: HTTP pipeline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ modules: [EchoModule] });
  });
  afterAll(() => t.close());

  it('is live and ready when PostgreSQL and Redis answer', async () => {
    await t.http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.checks).toEqual({
      postgres: { status: 'up' },
      redis: { status: 'up' },
      schedules: { status: 'up' },
      jobOutbox: expect.objectContaining({ status: 'up', parked: 0 }),
      consentReplica: expect.objectContaining({ appliedSeq: expect.any(Number) }),
    });
  });

  it('accepts a valid body', async () => {
    const body = { email: 'dev@example.com', count: 2, address: { city: 'Leeds' } };
    await t.http().post('/test/echo').send(body).expect(201, body);
  });

  it('refuses unknown fields with 400 problem+json naming them', async () => {
    const res = await t
      .http()
      .post('/test/echo')
      .send({ email: 'dev@example.com', count: 2, address: { city: 'Leeds', zip: 'x' }, admin: true });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'urn:gatehouse:problem:validation-failed',
      status: 400,
      title: 'Bad Request',
    });
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['address.zip', 'admin']);
  });

  it('refuses wrong types with a field error each', async () => {
    const res = await t.http().post('/test/echo').send({ email: 'not-an-email', count: 'two', address: {} });
    expect(res.status).toBe(400);
    const fields = new Set(res.body.errors.map((e: { field: string }) => e.field));
    expect(fields).toEqual(new Set(['email', 'count', 'address.city']));
  });

  it('refuses malformed JSON with 400 problem+json', async () => {
    const res = await t.http().post('/test/echo').set('content-type', 'application/json').send('{"email": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'urn:gatehouse:problem:malformed-body',
      detail: 'The request body is not valid JSON',
    });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await t
      .http()
      .post('/test/echo')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ email: 'x'.repeat(3 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers unknown routes with 404 problem+json', async () => {
    const res = await t.http().get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('gives every response a request id and keeps a sensible caller-supplied one', async () => {
    const minted = await t.http().get('/health/live');
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await t.http().get('/health/live').set('X-Request-Id', 'trace-abc-12345');
    expect(kept.headers['x-request-id']).toBe('trace-abc-12345');
    const refused = await t.http().get('/health/live').set('X-Request-Id', '<script>');
    expect(refused.headers['x-request-id']).not.toBe('<script>');
  });

  it('sends security headers and serves the OpenAPI document', async () => {
    const res = await t.http().get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers.etag).toBeUndefined();
    const ui = await t.http().get('/docs/').expect(200);
    expect(ui.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const doc = await t.http().get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toContain('/health/ready');
  });
});

describe('foundation: Redis outage', () => {
  it('turns ready into 503 naming Redis within 5 s, and back to 200 when Redis returns', async () => {
    const redis = await startPrivateRedis();
    const t = await startTestApp({ env: { REDIS_URL: redis.url }, smtp: false });
    try {
      await t.http().get('/health/ready').expect(200);
      await redis.shutdown();
      const stoppedAt = Date.now();
      const down = await eventually(
        async () => {
          const res = await t.http().get('/health/ready');
          return res.status === 503 ? res : undefined;
        },
        5_000,
        'ready turning 503',
      );
      expect(Date.now() - stoppedAt).toBeLessThan(5_000);
      expect(down.body.checks.redis.status).toBe('down');
      expect(down.body.checks.postgres.status).toBe('up');
      await t.http().get('/health/live').expect(200);

      await redis.restart();
      await eventually(
        async () => (await t.http().get('/health/ready')).status === 200,
        10_000,
        'ready returning to 200',
      );
    } finally {
      await t.close();
      await redis.stop();
    }
  });
});

describe('foundation: process start-up', () => {
  it('exits non-zero naming PORT when it is not a number', async () => {
    const run = spawnGatehouse({ PORT: 'abc', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/PORT: PORT must be/);
  });

  it('names every bad variable at once, including a malformed DATABASE_URL', async () => {
    const run = spawnGatehouse({ PORT: 'abc', DATABASE_URL: 'postgres//nowhere', GATEHOUSE_ROLE: 'both' });
    expect(await run.exited).not.toBe(0);
    for (const name of ['PORT', 'DATABASE_URL', 'GATEHOUSE_ROLE']) expect(run.output()).toContain(`${name}:`);
  });

  describe('on a Node.js line past its end of life', () => {
    // The process believes it runs on Node 20 (end of life since 2026-04-30): a preload rewrites process.version.
    let preloadDir: string;
    let env: Record<string, string>;
    beforeAll(() => {
      preloadDir = mkdtempSync(join(tmpdir(), 'gatehouse-node20-'));
      const preload = join(preloadDir, 'node20.cjs');
      writeFileSync(preload, "Object.defineProperty(process, 'version', { value: 'v20.20.2' });\n");
      env = { NODE_OPTIONS: `--require ${preload}`, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/unreachable' };
    });
    afterAll(() => rmSync(preloadDir, { recursive: true, force: true }));

    it('refuses to start with one line naming the version and the way out', async () => {
      const run = spawnGatehouse(env);
      expect(await run.exited).toBe(1);
      expect(run.output().trim()).toBe(
        'Node.js v20.20.2 is end of life since 2026-04-30: run Gatehouse through npm (npm start uses the Node 24 ' +
          'that npm installs) or set ALLOW_END_OF_LIFE_NODE=true for an emergency',
      );
    });

    it('starts anyway when ALLOW_END_OF_LIFE_NODE=true, and says so', async () => {
      const run = spawnGatehouse({ ...env, ALLOW_END_OF_LIFE_NODE: 'true' });
      await run.exited;
      expect(run.output()).toContain('is end of life since 2026-04-30');
      expect(run.output()).toContain('(allowed by ALLOW_END_OF_LIFE_NODE)');
      expect(run.output()).toMatch(/ECONNREFUSED|connect/);
    });
  });

  it('starts on the embedded PostgreSQL with no DATABASE_URL, and drains on SIGTERM', async () => {
    const varDir = mkdtempSync(join(tmpdir(), 'gatehouse-embedded-'));
    const port = await freePort();
    const run = spawnGatehouse({
      PORT: String(port),
      VAR_DIR: varDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      REDIS_PREFIX: `gatehouse-test-embedded-${port}`,
      LOG_LEVEL: 'warn',
    });
    try {
      const ready = await eventually(
        async () => {
          if (run.child.exitCode !== null) throw new Error(`exited: ${run.output()}`);
          const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
          return res.status === 200 ? res.json() : undefined;
        },
        60_000,
        'embedded start',
      );
      expect(ready).toMatchObject({ status: 'ok', checks: { postgres: { status: 'up' } } });
      expect(run.output()).toContain(`"msg":"running on Node.js ${process.version} (security fixes until 2028-04-30)"`);
      run.child.kill('SIGTERM');
      const code = await run.exited;
      expect({ code, output: code === 0 ? '' : run.output().slice(-3000) }).toEqual({ code: 0, output: '' });
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      rmSync(varDir, { recursive: true, force: true });
    }
  }, 90_000);
});
