import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { HealthService } from '../../src/health/health.service';
import { OUTBOX_MAX_ATTEMPTS, outboxJobId } from '../../src/queue/job-outbox';
import { JobQueueService } from '../../src/queue/job-queue.service';
import { JobName } from '../../src/queue/queue.registry';
import { TestApp, startTestApp } from '../harness/test-app';
import { eventually } from '../harness/wait';

interface Row {
  id: string;
  attempts: number;
  last_error: string | null;
  dead_at: Date | null;
}

describe('job outbox relay', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ http: false })));
  afterAll(() => t.close());

  const insert = async (name: string, payload: string): Promise<string> =>
    (
      (await t.dataSource.query(`INSERT INTO job_outbox (name, payload) VALUES ($1, $2::jsonb) RETURNING id`, [
        name,
        payload,
      ])) as { id: string }[]
    )[0]!.id;
  const row = async (id: string): Promise<Row | undefined> =>
    (
      (await t.dataSource.query(`SELECT id, attempts, last_error, dead_at FROM job_outbox WHERE id = $1`, [
        id,
      ])) as Row[]
    )[0];

  /** A valid announcement written after `poisoned` reaches BullMQ while `poisoned` stays behind, failed. */
  async function expectNotBlockedBy(poisoned: string): Promise<Row> {
    const payload = { organisationId: randomUUID(), submission: 1 };
    const valid = await insert(JobName.ReviewKybCase, JSON.stringify(payload));
    await eventually(async () => (await row(valid)) === undefined, 15_000, 'the valid row handed off');
    const job = await t.app
      .get(JobQueueService)
      .queueFor(JobName.ReviewKybCase)
      .getJob(outboxJobId(JobName.ReviewKybCase, payload, valid));
    expect(job?.data).toEqual(payload);
    return eventually(
      async () => {
        const r = await row(poisoned);
        return r && r.attempts > 0 ? r : undefined;
      },
      15_000,
      'the failed attempt recorded',
    );
  }

  it('hands off a valid row written after one with a job name the registry does not know', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error');
    const poisoned = await insert('review.no-such-job', JSON.stringify({ contact: 'hidden-person@example.com' }));
    const failed = await expectNotBlockedBy(poisoned);
    expect(failed).toMatchObject({ dead_at: null, last_error: expect.stringContaining('unknown job name') });
    // The row and its error are named; the payload (which may hold personal data) is not.
    expect(failed.last_error).not.toContain('hidden-person');
    const lines = logged.mock.calls.map((c) => String(c[0])).filter((l) => l.includes(`job outbox row ${poisoned} `));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('hidden-person');
    logged.mockRestore();
  });

  it('hands off a valid row written after one whose payload the queue cannot take', async () => {
    const poisoned = await insert(JobName.ReviewKybCase, 'null');
    expect((await expectNotBlockedBy(poisoned)).dead_at).toBeNull();
  });

  it('backs a failing row off instead of retrying it on every turn', async () => {
    const poisoned = await insert('checks.no-such-job', '{}');
    const waitsAfter = async (attempt: number): Promise<number> => {
      await eventually(async () => (await row(poisoned))?.attempts === attempt, 15_000, `attempt ${attempt}`);
      const sql = `SELECT extract(epoch FROM next_attempt_at - now())::float8 AS s FROM job_outbox WHERE id = $1`;
      return ((await t.dataSource.query(sql, [poisoned])) as { s: number }[])[0]!.s;
    };
    expect(await waitsAfter(1)).toBeGreaterThan(0);
    // While it waits, later rows go through turn after turn and it is not tried again.
    await t.dataSource.query(`UPDATE job_outbox SET next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [
      poisoned,
    ]);
    for (let i = 0; i < 3; i++) await expectNotBlockedBy(poisoned);
    expect((await row(poisoned))?.attempts).toBe(1);
    // Once due it is tried again, and waits longer: 2 s after the second failure (1 s after the first).
    await t.dataSource.query(`UPDATE job_outbox SET next_attempt_at = now() WHERE id = $1`, [poisoned]);
    expect(await waitsAfter(2)).toBeGreaterThan(1);
  });

  it('parks a row after its last attempt, stops trying it, and readiness reports it', async () => {
    const poisoned = await insert('mail.no-such-job', '{}');
    for (let attempt = 1; attempt <= OUTBOX_MAX_ATTEMPTS; attempt++) {
      await eventually(async () => (await row(poisoned))?.attempts === attempt, 15_000, `attempt ${attempt}`);
      // The back-off elapses (the clock the relay reads is the database's).
      await t.dataSource.query(`UPDATE job_outbox SET next_attempt_at = now() WHERE id = $1`, [poisoned]);
    }
    const parked = await eventually(
      async () => {
        const r = await row(poisoned);
        return r?.dead_at ? r : undefined;
      },
      15_000,
      'the row parked',
    );
    expect(parked.attempts).toBe(OUTBOX_MAX_ATTEMPTS);
    // Parked rows are not tried again: a row written later goes through and the count stays put.
    await expectNotBlockedBy(poisoned);
    expect((await row(poisoned))?.attempts).toBe(OUTBOX_MAX_ATTEMPTS);

    // A row waiting for an hour shows in the age of the oldest pending row.
    await t.dataSource.query(
      `INSERT INTO job_outbox (name, payload, created_at, next_attempt_at, attempts)
       VALUES ('x.waiting', '{}', now() - interval '1 hour', now() + interval '1 hour', 3)`,
    );
    const [{ n }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM job_outbox WHERE dead_at IS NOT NULL`,
    )) as { n: number }[];
    const ready = await t.app.get(HealthService).readiness();
    expect(ready.status).toBe('ok');
    expect(ready.checks.jobOutbox).toEqual({ status: 'up', parked: n, oldestPendingSeconds: expect.any(Number) });
    expect(n).toBeGreaterThanOrEqual(1);
    expect((ready.checks.jobOutbox as { oldestPendingSeconds: number }).oldestPendingSeconds).toBeGreaterThanOrEqual(
      3600,
    );
  }, 60_000);
});
