import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { AccessLogService, accessLogPageQuery, partitionName } from '../../src/consents/access-log/access-log.service';
import { ACCESS_LOG_WRITER, AccessLogWriter } from '../../src/consents/access-log/access-log.writer';
import { JobQueueService } from '../../src/queue/job-queue.service';
import { JobName } from '../../src/queue/queue.registry';
import { SCHEDULES } from '../../src/queue/schedules';
import { SandboxApp } from '../harness/cases';
import { runClockFrom } from '../harness/clock';
import { SignedInCustomer, consentingApp, grantConsent, sandboxCustomer } from '../harness/consents';
import { TestApp, startTestApp } from '../harness/test-app';
import { eventually } from '../harness/wait';

/** `YYYY-MM-01` of the month `offset` months from the current UTC month. */
function monthFromNow(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

/**
 * The consent access log's writer, partitions and read plan on real PostgreSQL. The app listens on
 * a port only because the consent harness signs customers in through the sandbox bank's routes.
 */
describe('consent access log', () => {
  let t: TestApp;
  let app: SandboxApp;
  let alice: SignedInCustomer;

  beforeAll(async () => {
    t = await startTestApp({ env: { SANDBOX_SEED: 'access-log-service', SANDBOX_CUSTOMERS: '2' } });
    ({ app } = await consentingApp(t, 'access-log'));
    alice = await sandboxCustomer(t, 0);
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    ((await t.dataSource.query(sql, params)) as { n: number }[])[0]!.n;
  const rowsOf = (consents: string[]) =>
    count(`SELECT count(*)::int AS n FROM consent_access_log WHERE consent_id = ANY($1::uuid[])`, [consents]);

  it('writes every one of 10,000 entries recorded across consents, in a few multi-row INSERTs, by a clean shutdown', async () => {
    // A second instance on the same database: closing it is the clean shutdown under test.
    const other = await startTestApp({ http: false, sharing: t });
    const writer = other.app.get(AccessLogWriter);
    const consents = Array.from({ length: 7 }, () => randomUUID());
    for (let i = 0; i < 10_000; i++) {
      writer.record({
        consentId: consents[i % consents.length]!,
        endpoint: 'GET /v1/accounts/:accountId/transactions',
        accountIds: [`acc-${i % 3}`, 'acc-x'],
        dateRange: i % 2 ? { from: '2026-01-01', to: '2026-03-31' } : null,
        records: i % 50,
        requestId: `req-${i}`,
      });
    }
    // record() did no I/O: nothing is written until a flush runs.
    expect(writer.stats()).toMatchObject({ written: 0, pending: 10_000, dropped: 0 });
    await other.close();

    expect(await rowsOf(consents)).toBe(10_000);
    expect(writer.stats()).toMatchObject({ written: 10_000, pending: 0, dropped: 0 });
    expect(writer.stats().batches).toBeLessThanOrEqual(Math.ceil(10_000 / ACCESS_LOG_WRITER.maxBatchRows) + 10);
    const [sample] = (await t.dataSource.query(
      `SELECT endpoint, account_ids, to_char(date_from, 'YYYY-MM-DD') AS date_from, records, request_id
         FROM consent_access_log WHERE request_id = 'req-4321'`,
    )) as Record<string, unknown>[];
    expect(sample).toEqual({
      endpoint: 'GET /v1/accounts/:accountId/transactions',
      account_ids: ['acc-1', 'acc-x'],
      date_from: '2026-01-01',
      records: 21,
      request_id: 'req-4321',
    });
  });

  it('keeps the rows of a failed INSERT and writes them, once, when PostgreSQL takes them again', async () => {
    const writer = t.app.get(AccessLogWriter);
    const before = writer.stats();
    const consent = randomUUID();
    const logged: string[] = [];
    const spies = [
      jest.spyOn(console, 'log'),
      jest.spyOn(console, 'error'),
      jest.spyOn(Logger.prototype, 'warn'),
      jest.spyOn(Logger.prototype, 'error'),
    ].map((spy) => spy.mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' '))));
    // The table gone from under the writer: every INSERT fails until it is back.
    await t.dataSource.query(`ALTER TABLE consent_access_log RENAME TO consent_access_log_away`);
    let renamed = true;
    try {
      for (let i = 0; i < 500; i++)
        writer.record({ consentId: consent, endpoint: 'GET /v1/accounts', accountIds: [], records: 1 });
      await eventually(() => writer.stats().failedFlushes >= before.failedFlushes + 2, 15_000, 'two failed flushes');
      expect(writer.stats()).toMatchObject({ pending: 500, written: before.written });
      await t.dataSource.query(`ALTER TABLE consent_access_log_away RENAME TO consent_access_log`);
      renamed = false;
    } finally {
      if (renamed) await t.dataSource.query(`ALTER TABLE consent_access_log_away RENAME TO consent_access_log`);
      for (const spy of spies) spy.mockRestore();
    }
    // The failures were logged, as counts and a SQLSTATE: no account id, no consent id.
    expect(logged.some((line) => line.includes('42P01'))).toBe(true);
    expect(logged.filter((line) => line.includes('acc-secret-77') || line.includes(consent))).toEqual([]);
    await eventually(() => writer.stats().pending === 0, 30_000, 'the kept rows written');
    expect(await rowsOf([consent])).toBe(500);
    expect(writer.stats().written).toBe(before.written + 500);
  });

  it('drops and counts rows past the buffer bound instead of growing without limit', async () => {
    const other = await startTestApp({ http: false, sharing: t });
    const writer = other.app.get(AccessLogWriter);
    const bound = ACCESS_LOG_WRITER.maxPendingRows;
    const consent = randomUUID();
    for (let i = 0; i < bound + 25; i++)
      writer.record({ consentId: consent, endpoint: 'GET /v1/accounts', accountIds: [], records: 0 });
    // The bound counts rows buffered and rows in an INSERT under way, so it holds whatever the timer did meanwhile.
    expect(writer.stats()).toMatchObject({ dropped: 25, pending: bound - writer.stats().written });
    await other.close();
    expect(await rowsOf([consent])).toBe(bound);
  });

  it('refuses an entry PostgreSQL could not store, so it never poisons a batch', () => {
    const writer = t.app.get(AccessLogWriter);
    const ok = { consentId: randomUUID(), endpoint: 'GET /v1/accounts', accountIds: [], records: 1 };
    expect(() => writer.record({ ...ok, consentId: 'not-a-uuid' })).toThrow(TypeError);
    expect(() => writer.record({ ...ok, records: -1 })).toThrow(TypeError);
    expect(() => writer.record({ ...ok, dateRange: { from: '2026-02-30', to: null } })).toThrow(TypeError);
    expect(() => writer.record({ ...ok, endpoint: 'GET /v1/\u0000' })).toThrow(TypeError);
    expect(() => writer.record({ ...ok, dateRange: { from: '2026-02-29', to: null } })).toThrow(TypeError);
    expect(() => writer.record({ ...ok, dateRange: { from: '2026-13-01', to: null } })).toThrow(TypeError);
    expect(() => writer.record({ ...ok, at: new Date(NaN) })).toThrow(TypeError);
    // A leap day is a date.
    expect(() => writer.record({ ...ok, dateRange: { from: '2028-02-29', to: '2028-03-31' } })).not.toThrow();
  });

  describe('last use of a consent', () => {
    beforeAll(async () => {
      // Counts every row UPDATE of consents, whoever runs it.
      await t.dataSource.query(`CREATE TABLE test_consent_updates (consent_id uuid, last_used_at timestamptz)`);
      await t.dataSource.query(`
        CREATE FUNCTION test_consent_updated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO test_consent_updates VALUES (NEW.id, NEW.last_used_at); RETURN NULL; END $$`);
      await t.dataSource.query(
        `CREATE TRIGGER test_consent_updated AFTER UPDATE ON consents FOR EACH ROW EXECUTE FUNCTION test_consent_updated()`,
      );
    });

    it('writes last_used_at at most once per consent per minute, batched, ending at the latest use', async () => {
      const writer = t.app.get(AccessLogWriter);
      const ids = [
        (await grantConsent(t, app, alice)).id,
        (await grantConsent(t, app, alice)).id,
        (await grantConsent(t, app, alice)).id,
      ];
      const updates = (id: string) =>
        count(`SELECT count(*)::int AS n FROM test_consent_updates WHERE consent_id = $1`, [id]);
      const lastUsed = async (id: string) =>
        (
          (await t.dataSource.query(`SELECT last_used_at FROM consents WHERE id = $1`, [id])) as {
            last_used_at: Date;
          }[]
        )[0]!.last_used_at;
      const base = Date.now();
      const statementsBefore = writer.stats().touchUpdates;
      for (let i = 0; i < 1000; i++) for (const id of ids) writer.touch(id, new Date(base + i));
      await writer.flush();
      for (const id of ids) {
        expect(await updates(id)).toBe(1);
        expect((await lastUsed(id)).getTime()).toBe(base + 999);
      }
      // One UPDATE for the three consents.
      expect(writer.stats().touchUpdates).toBe(statementsBefore + 1);

      // More uses within the minute: nothing written, however often the writer flushes.
      for (let i = 1000; i < 2000; i++) for (const id of ids) writer.touch(id, new Date(base + i));
      writer.touch(ids[0]!, new Date(base - 5_000)); // an older use noted late never moves it back
      await writer.flush();
      await writer.flush();
      for (const id of ids) expect(await updates(id)).toBe(1);
      expect(writer.stats().pendingTouches).toBe(3);

      // A minute later on the process clock, the latest use is written, once.
      const restore = runClockFrom(Date.now() + ACCESS_LOG_WRITER.touchEveryMs + 1_000);
      try {
        await writer.flush();
        await writer.flush();
      } finally {
        restore();
      }
      for (const id of ids) {
        expect(await updates(id)).toBe(2);
        expect((await lastUsed(id)).getTime()).toBe(base + 1999);
      }
      expect(writer.stats().pendingTouches).toBe(0);
    });
  });

  describe('partitions', () => {
    const partitions = async (): Promise<string[]> =>
      (
        (await t.dataSource.query(
          `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'consent_access_log'::regclass ORDER BY c.relname`,
        )) as { relname: string }[]
      ).map((r) => r.relname);
    const partitionOf = async (requestId: string): Promise<string | undefined> =>
      (
        (await t.dataSource.query(
          `SELECT tableoid::regclass::text AS p FROM consent_access_log WHERE request_id = $1`,
          [requestId],
        )) as { p: string }[]
      )[0]?.p;
    const insertAt = (at: string, requestId: string) =>
      t.dataSource.query(
        `INSERT INTO consent_access_log (consent_id, occurred_at, endpoint, records, request_id)
         VALUES (gen_random_uuid(), $1, 'GET /v1/accounts', 1, $2)`,
        [at, requestId],
      );

    it('has the migration create monthly partitions around now and a DEFAULT one', async () => {
      const names = await partitions();
      for (const offset of [-1, 0, 1, 2, 3]) expect(names).toContain(partitionName(monthFromNow(offset)));
      expect(names).toContain('consent_access_log_default');
    });

    it('creates the coming months, drops whole months past retention, and a second run changes nothing', async () => {
      const service = t.app.get(AccessLogService);
      const retention = t.config.consents.accessLogRetentionDays;
      // An old month, within retention on 2025-07-10 and past it now; its row lands in DEFAULT first.
      await insertAt('2025-06-15T12:00:00Z', 'old-june');
      expect(await partitionOf('old-june')).toBe('consent_access_log_default');
      await insertAt('2019-05-01T00:00:00Z', 'stray-2019');
      await insertAt(new Date().toISOString(), 'current');
      const then = await service.maintainPartitions(new Date('2025-07-10T00:00:00Z'));
      expect(then.created).toEqual(
        expect.arrayContaining([
          'consent_access_log_2025_06',
          'consent_access_log_2025_07',
          'consent_access_log_2025_10',
        ]),
      );
      expect(await partitionOf('old-june')).toBe('consent_access_log_2025_06');
      // A stray row older than the retention even then is deleted from DEFAULT.
      expect(then.purgedFromDefault).toBe(1);
      expect(await partitionOf('stray-2019')).toBeUndefined();

      // The furthest month ahead removed, to see it made again.
      const furthest = partitionName(monthFromNow(3));
      await t.dataSource.query(`DROP TABLE ${furthest}`);
      const now = await service.maintainPartitions();
      expect(now.created).toEqual([furthest]);
      // Every month whose end is more than the retention ago goes; the one straddling the cutoff stays.
      const cutoff = Date.now() - retention * 24 * 3600_000;
      const expired = ['2025_06', '2025_07', '2025_08', '2025_09', '2025_10']
        .map((m) => `consent_access_log_${m}`)
        .filter((name) => {
          const [y, mo] = name.slice(-7).split('_').map(Number);
          return Date.UTC(y!, mo!, 1) <= cutoff;
        });
      expect(expired.length).toBeGreaterThan(0);
      expect(now.dropped).toEqual(expired);
      expect(await partitionOf('old-june')).toBeUndefined();
      expect(await partitionOf('current')).toBe(partitionName(monthFromNow(0)));

      const after = await partitions();
      expect(await service.maintainPartitions()).toEqual({ created: [], dropped: [], purgedFromDefault: 0 });
      expect(await partitions()).toEqual(after);
    });

    it('lets two workers run it at once: one creates, the other finds it done', async () => {
      const service = t.app.get(AccessLogService);
      const furthest = partitionName(monthFromNow(3));
      await t.dataSource.query(`DROP TABLE ${furthest}`);
      const [a, b] = await Promise.all([service.maintainPartitions(), service.maintainPartitions()]);
      expect([...a.created, ...b.created]).toEqual([furthest]);
      expect(await partitions()).toContain(furthest);
    });

    it('runs as the scheduled worker job: a job on its queue makes the missing month', async () => {
      const furthest = partitionName(monthFromNow(3));
      await t.dataSource.query(`DROP TABLE ${furthest}`);
      expect(SCHEDULES.map((s) => s.job)).toContain(JobName.AccessLogPartitions);
      await t.app.get(JobQueueService).queueFor(JobName.AccessLogPartitions).add(JobName.AccessLogPartitions, {});
      await eventually(async () => (await partitions()).includes(furthest), 15_000, 'the job made the partition');
    });

    it('reads a page through the index of the months between the consent and the cursor only', async () => {
      const consent = randomUUID();
      // Enough rows in three months, and other consents', for the planner to prefer the index.
      await t.dataSource.query(
        `INSERT INTO consent_access_log (consent_id, occurred_at, endpoint, records)
         SELECT CASE WHEN n % 20 = 0 THEN $1::uuid ELSE gen_random_uuid() END,
                date_trunc('month', now()) - interval '1 month' + (n % 80) * interval '1 day' + n * interval '1 ms',
                'GET /v1/accounts', 1
           FROM generate_series(1, 30000) AS n`,
        [consent],
      );
      await t.dataSource.query(`ANALYZE consent_access_log`);
      // Created in the middle of last month: a day before it is still last month.
      const createdAt = new Date(`${monthFromNow(-1)}T00:00:00Z`);
      createdAt.setUTCDate(11);
      const cursorAt = `${monthFromNow(0)}T10:00:00.000000Z`;
      const page = accessLogPageQuery(consent, createdAt, 51, { at: cursorAt, id: '9000000000' });
      const [{ 'QUERY PLAN': plan }] = (await t.dataSource.query(`EXPLAIN (FORMAT JSON) ${page.sql}`, page.params)) as {
        'QUERY PLAN': unknown;
      }[];
      const scans: { type: string; relation: string; index?: string }[] = [];
      const walk = (node: Record<string, unknown>) => {
        if (typeof node['Relation Name'] === 'string')
          scans.push({
            type: String(node['Node Type']),
            relation: node['Relation Name'],
            ...(node['Index Name'] ? { index: String(node['Index Name']) } : {}),
          });
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk((plan as { Plan: Record<string, unknown> }[])[0]!.Plan);
      // Last month and this month: none before the consent, none after the cursor, not DEFAULT.
      expect(scans.map((s) => s.relation).sort()).toEqual([monthFromNow(-1), monthFromNow(0)].map(partitionName));
      for (const s of scans) {
        expect(s.type).toMatch(/^Index (Only )?Scan$/);
        expect(s.index).toMatch(/consent_id_occurred_at_id_idx$/);
      }
    });
  });
});
