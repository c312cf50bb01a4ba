import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { JobQueueService } from '../src/queue/job-queue.service';
import { JobName } from '../src/queue/queue.registry';
import { Actor, PASSWORD, bearer, developer, login, uniqueEmail } from './harness/actors';
import { submittableOrganisation } from './harness/kyb';
import { PrivateRedis, startPrivateRedis } from './harness/redis-server';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

/** Every periodic job, by the queue whose job name runs it: what the issue saw vanish. */
const EXPECTED: [JobName, string][] = [
  [JobName.AuditCheckpoint, 'audit-checkpoint'],
  [JobName.SanctionsRescreen, 'sanctions-rescreen'],
  [JobName.ReviewNotifications, 'review-notifications'],
  [JobName.WebhookRelay, 'webhooks-relay'],
  [JobName.AppsMaintenance, 'apps-maintenance'],
  [JobName.ConsentsMaintenance, 'consents-maintenance'],
  [JobName.AccessLogPartitions, 'access-log-partitions'],
];

/** The scheduler ids Redis holds right now, read through BullMQ. */
async function schedulersInRedis(t: TestApp): Promise<string[]> {
  const jobs = t.app.get(JobQueueService);
  const ids = new Set<string>();
  for (const [job] of EXPECTED) for (const s of await jobs.queueFor(job).getJobSchedulers(0, -1)) ids.add(s.key);
  return [...ids].sort();
}
const ALL_IDS = EXPECTED.map(([, id]) => id).sort();

describe('Redis outage: schedules come back without a worker restart', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    // An hour between periodic checks: only the reconnect itself can bring the schedules back here.
    t = await startTestApp({ env: { REDIS_URL: redis.url, SCHEDULE_CHECK_SECONDS: '3600' }, smtp: false });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('re-registers every schedule when Redis restarts empty, and the scheduled work runs again', async () => {
    expect(await schedulersInRedis(t)).toEqual(ALL_IDS);
    await redis.shutdown();
    await redis.restart();
    const restartedAt = Date.now();
    const allBack = async () => {
      const ids = await schedulersInRedis(t);
      return ids.length === ALL_IDS.length ? ids : undefined;
    };
    expect(await eventually(allBack, 60_000, 'every schedule back')).toEqual(ALL_IDS);
    expect(Date.now() - restartedAt).toBeLessThan(60_000);
    // The 2-second webhook relay really runs on the emptied Redis, without a restart of the worker.
    const relay = t.app.get(JobQueueService).queueFor(JobName.WebhookRelay);
    await eventually(async () => (await relay.getCompletedCount()) > 0, 15_000, 'a webhook relay run after restart');
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.checks.schedules).toEqual({ status: 'up' });
  }, 90_000);
});

describe('Redis outage: a lost schedule is noticed and repaired while Redis stays up', () => {
  let api: TestApp;
  let worker: TestApp | undefined;
  beforeAll(async () => {
    api = await startTestApp({ env: { GATEHOUSE_ROLE: 'api' }, smtp: false });
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
  });

  it('readiness names every missing schedule, without taking the API out of service', async () => {
    const ready = await api.http().get('/health/ready').expect(200);
    expect(ready.body.checks.schedules.status).toBe('missing');
    expect([...ready.body.checks.schedules.missing].sort()).toEqual(ALL_IDS);
  });

  it('a worker registers them, and its periodic check brings back one deleted behind its back', async () => {
    worker = await startTestApp({ sharing: api, env: { SCHEDULE_CHECK_SECONDS: '1' } });
    const reported = async () => (await api.http().get('/health/ready')).body.checks.schedules.status as string;
    await eventually(async () => (await reported()) === 'up', 10_000, 'schedules reported up');
    const queue = api.app.get(JobQueueService).queueFor(JobName.AuditCheckpoint);
    expect(await queue.removeJobScheduler('audit-checkpoint')).toBe(true);
    expect(await schedulersInRedis(api)).not.toContain('audit-checkpoint');
    const back = async () => (await schedulersInRedis(api)).includes('audit-checkpoint');
    await eventually(back, 10_000, 'audit checkpoint schedule back');
    expect(await schedulersInRedis(api)).toEqual(ALL_IDS);
  });
});

describe('Redis outage: request paths', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  /** A second API process on the same database and Redis. */
  let other: TestApp;
  let dev: Actor;
  let ready: string;
  let readyToo: string;
  let secondSession: string;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await startTestApp({ env: { REDIS_URL: redis.url } });
    dev = await developer(t, 'outage');
    ready = await submittableOrganisation(t, dev);
    readyToo = await submittableOrganisation(t, dev);
    secondSession = await login(t, dev.email);
    other = await startTestApp({ sharing: t, env: { REDIS_URL: redis.url, GATEHOUSE_ROLE: 'api' } });
    // Cached by the other process now: its sign-out below cannot reach that cache through Redis.
    await other.http().get('/v1/me').set(bearer(secondSession)).expect(200);
    await redis.shutdown();
    // The app has seen the connection drop once readiness says so.
    await eventually(async () => (await t.http().get('/health/ready')).status === 503, 5_000, 'ready turning 503');
  });
  afterAll(async () => {
    // Closing waits for BullMQ to finish with Redis, so bring it back if a test left it down.
    await redis.restart();
    await other.close();
    await t.close();
    await redis.stop();
  });

  const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const started = Date.now();
    const result = await work();
    return [result, Date.now() - started];
  };

  it('sign-in answers 503 problem+json with Retry-After, for a right and a wrong password alike', async () => {
    for (const password of [PASSWORD, 'not the password at all 1']) {
      const [res, ms] = await timed(() => t.http().post('/v1/auth/login').send({ email: dev.email, password }));
      expect({ password, status: res.status }).toEqual({ password, status: 503 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body).toMatchObject({
        type: 'urn:gatehouse:problem:unavailable',
        status: 503,
        retryAfterSeconds: Number(res.headers['retry-after']),
      });
      expect(ms).toBeLessThan(2_000);
    }
  });

  it('a password-reset request answers the same 503 for a known and an unknown address', async () => {
    const known = await t.http().post('/v1/auth/password-reset/request').send({ email: dev.email });
    const unknown = await t
      .http()
      .post('/v1/auth/password-reset/request')
      .send({ email: uniqueEmail('nobody') });
    for (const res of [known, unknown]) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
    }
    expect(known.body.detail).toBe(unknown.body.detail);
  });

  it('a signed-in developer keeps working, and a sign-out holds in every process', async () => {
    await t.http().get('/v1/me').set(bearer(dev.token)).expect(200);
    await t.http().get(`/v1/organisations/${ready}/verification`).set(bearer(dev.token)).expect(200);
    const signup = { email: uniqueEmail('during-outage'), password: PASSWORD, name: 'Outage Dev' };
    await t.http().post('/v1/auth/signup').send(signup).expect(201);
    await t.http().post('/v1/auth/logout').set(bearer(secondSession)).expect(204);
    // The other process answers from PostgreSQL while it cannot hear invalidations: signed out is signed out.
    await other.http().get('/v1/me').set(bearer(secondSession)).expect(401);
    await t.http().get('/v1/me').set(bearer(secondSession)).expect(401);
  });

  it('submit answers 202 within 2 s, and the checks run once Redis is back', async () => {
    for (const org of [ready, readyToo]) {
      const submit = () => t.http().post(`/v1/organisations/${org}/verification/submit`).set(bearer(dev.token));
      const [res, ms] = await timed(submit);
      expect({ org, status: res.status, body: res.body.status }).toEqual({ org, status: 202, body: 'submitted' });
      expect(ms).toBeLessThan(2_000);
    }
    await redis.restart();
    const statusOf = async (org: string) => {
      const res = await t.http().get(`/v1/organisations/${org}/verification`).set(bearer(dev.token)).expect(200);
      return res.body.status as string;
    };
    for (const org of [ready, readyToo]) {
      await eventually(async () => (await statusOf(org)) === 'pending_review', 60_000, `checks of ${org} done`);
    }
    // And sign-in is back.
    const signIn = () => t.http().post('/v1/auth/login').send({ email: dev.email, password: PASSWORD });
    await eventually(async () => (await signIn()).status === 200, 10_000, 'sign-in back');
  });
});

describe('Redis outage: job outbox rows wait, and the outage counts against none of them', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await startTestApp({ env: { REDIS_URL: redis.url }, smtp: false, http: false });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('keeps a row through the outage with no attempt recorded, and hands it off when Redis is back', async () => {
    const warned = jest.spyOn(Logger.prototype, 'warn');
    await redis.shutdown();
    const payload = JSON.stringify({ organisationId: randomUUID(), submission: 1 });
    const insert = `INSERT INTO job_outbox (name, payload) VALUES ($1, $2::jsonb) RETURNING id`;
    const [{ id }] = (await t.dataSource.query(insert, [JobName.ReviewKybCase, payload])) as { id: string }[];
    const outageSeen = () =>
      warned.mock.calls.some((c) => String(c[0]).startsWith('job outbox relay: Redis does not answer'));
    await eventually(outageSeen, 30_000, 'the relay finding Redis down');
    const select = `SELECT attempts, last_error, dead_at FROM job_outbox WHERE id = $1`;
    const row = async () => ((await t.dataSource.query(select, [id])) as unknown[])[0];
    expect(await row()).toEqual({ attempts: 0, last_error: null, dead_at: null });
    warned.mockRestore();
    await redis.restart();
    await eventually(async () => (await row()) === undefined, 30_000, 'the row handed off after the outage');
  }, 90_000);
});
