import { DAY_MS } from '../src/consents/consent';
import { ConsentSchedulersService, DUE_SQL } from '../src/consents/consent-schedulers.service';
import { ConsentsService } from '../src/consents/consents.service';
import { customerDay } from '../src/notifications/templates/catalogue';
import { JobQueueService } from '../src/queue/job-queue.service';
import { JobName } from '../src/queue/queue.registry';
import { bearer } from './harness/actors';
import { SandboxApp } from './harness/cases';
import { SignedInCustomer, consentingApp, grantConsent, sandboxCustomer } from './harness/consents';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';
import { WebhookReceiver, webhookReceiver } from './harness/webhook-receiver';

/** Anything a customer would read as an internal id, outside links: a UUID or a long hex string. */
const INTERNAL_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32,}/i;
const prose = (text: string) => text.replace(/https?:\/\/\S+/g, '');

describe('consent schedulers: expiry, the 7-day emails, inactivity and housekeeping', () => {
  let t: TestApp;
  let app: SandboxApp;
  let hook: WebhookReceiver;
  let schedulers: ConsentSchedulersService;
  // Every run of the job looks at every consent: each test has its own customer, so counts stay its own.
  const customers: SignedInCustomer[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: { SANDBOX_SEED: 'consent-schedulers', SANDBOX_CUSTOMERS: '8' } });
    const made = await consentingApp(t, 'schedulers');
    app = made.app;
    hook = await webhookReceiver();
    await t
      .http()
      .put(`/v1/organisations/${made.dev.orgId}/apps/${app.id}/webhook`)
      .set(bearer(made.dev.token))
      .send({ url: hook.url })
      .expect(200);
    for (let i = 0; i < 8; i++) customers.push(await sandboxCustomer(t, i));
    schedulers = t.app.get(ConsentSchedulersService);
  });
  afterAll(async () => {
    await hook.close();
    await t.close();
  });

  const at = (from: string, days: number) => new Date(Date.parse(from) + days * DAY_MS);
  /** Runs the whole job twice at `now`, as a retried or overlapping run would. */
  const runTwice = async (now: Date) => {
    await schedulers.run(now);
    await schedulers.run(now);
  };
  /** Outbox rows of one template to one customer: what was queued, counted at once. */
  const emails = async (c: SignedInCustomer, template: string) =>
    (
      (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox_messages WHERE recipient = $1 AND template = $2`,
        [c.email, template],
      )) as { n: number }[]
    )[0]!.n;
  const consentRow = async (id: string) =>
    (
      (await t.dataSource.query(`SELECT status, revoked_by, revocation_reason, version FROM consents WHERE id = $1`, [
        id,
      ])) as { status: string; revoked_by: string | null; revocation_reason: string | null; version: number }[]
    )[0];
  /** Audit entries of the consent after its grant. */
  const audits = async (id: string) =>
    (await t.dataSource.query(
      `SELECT action, actor_type, actor_id FROM audit_entries
        WHERE subject_type = 'consent' AND subject_id = $1 AND action <> 'consent.granted' ORDER BY id`,
      [id],
    )) as { action: string; actor_type: string; actor_id: string }[];
  const deliveries = async (id: string) =>
    (
      (await t.dataSource.query(
        `SELECT event_type FROM webhook_deliveries WHERE app_id = $1 AND payload->'data'->>'consentId' = $2`,
        [app.id, id],
      )) as { event_type: string }[]
    ).map((d) => d.event_type);
  const setLastUsed = (id: string, when: Date) =>
    t.dataSource.query(`UPDATE consents SET last_used_at = $2 WHERE id = $1`, [id, when]);

  it('warns 7 days before an inactivity revocation once, revokes at 30 days once, with webhook and email', async () => {
    const alice = customers[0]!;
    const c = await grantConsent(t, app, alice);
    const day = (n: number) => at(c.createdAt, n);

    await runTwice(day(22));
    expect(await emails(alice, 'consent-inactivity-warning')).toBe(0);
    await runTwice(day(23));
    await runTwice(day(24));
    expect(await emails(alice, 'consent-inactivity-warning')).toBe(1);
    const warning = await t.smtp.waitFor((m) => m.to.includes(alice.email) && /unless it is used/.test(m.subject));
    expect(warning.text).toContain(`${c.app.name} (${c.app.organisationName}) has not used the access`);
    expect(warning.text).toContain(`since you gave it on ${customerDay(c.createdAt)}`);
    expect(warning.text).toContain(`it will end on ${customerDay(day(30).toISOString())}`);
    expect(warning.text).toContain(`/customer/consents/${c.id}`);
    expect(prose(warning.text)).not.toMatch(INTERNAL_ID);
    expect(await consentRow(c.id)).toMatchObject({ status: 'active', version: 1 });

    await runTwice(day(29));
    expect(await consentRow(c.id)).toMatchObject({ status: 'active' });
    await schedulers.run(day(30));
    const ended = await consentRow(c.id);
    expect(ended).toMatchObject({
      status: 'revoked',
      revoked_by: 'inactivity',
      revocation_reason: 'Unused for 30 days',
    });
    await runTwice(day(30));
    await runTwice(day(31));
    expect(await consentRow(c.id)).toEqual(ended);
    expect(await audits(c.id)).toEqual([
      { action: 'consent.revoked', actor_type: 'system', actor_id: 'consents.maintenance' },
    ]);
    expect(await deliveries(c.id)).toEqual(['consent.revoked']);
    expect(await emails(alice, 'consent-revoked-inactivity')).toBe(1);
    expect(await emails(alice, 'consent-inactivity-warning')).toBe(1);

    const event = await eventually(
      () => hook.events.find((e) => e.data.consentId === c.id),
      15_000,
      'the consent.revoked webhook',
    );
    expect(event).toMatchObject({
      type: 'consent.revoked',
      data: { appId: app.id, consentId: c.id, revokedBy: 'inactivity', reason: 'Unused for 30 days' },
    });
    const revoked = await t.smtp.waitFor((m) => m.to.includes(alice.email) && /stopped/.test(m.subject));
    expect(revoked.text).toContain('30 days');
    expect(prose(revoked.text)).not.toMatch(INTERNAL_ID);
    // What the customer's API shows.
    const seen = await t.http().get(`/v1/customer/consents/${c.id}`).set(bearer(alice.token)).expect(200);
    expect(seen.body).toMatchObject({ status: 'revoked', revokedBy: 'inactivity', version: 2 });
  });

  it('reminds 7 days before expiry once, then expires it once, with webhook and email', async () => {
    const bob = customers[1]!;
    const granted = new Date();
    const c = await grantConsent(t, app, bob, { expiresAt: at(granted.toISOString(), 10).toISOString() });
    const day = (n: number) => at(c.createdAt, n);

    await runTwice(day(2));
    expect(await emails(bob, 'consent-expiring')).toBe(0);
    await runTwice(day(3));
    await runTwice(day(5));
    expect(await emails(bob, 'consent-expiring')).toBe(1);
    const reminder = await t.smtp.waitFor((m) => m.to.includes(bob.email) && /^Your permission/.test(m.subject));
    expect(reminder.subject).toBe(`Your permission for ${c.app.name} ends on ${customerDay(c.expiresAt)}`);
    expect(prose(reminder.text)).not.toMatch(INTERNAL_ID);

    await runTwice(new Date(Date.parse(c.expiresAt) - 1));
    expect(await consentRow(c.id)).toMatchObject({ status: 'active', version: 1 });
    await schedulers.run(new Date(c.expiresAt));
    const ended = await consentRow(c.id);
    expect(ended).toMatchObject({ status: 'expired', revoked_by: 'expiry', version: 2 });
    await runTwice(day(11));
    expect(await consentRow(c.id)).toEqual(ended);
    expect(await audits(c.id)).toEqual([
      { action: 'consent.expired', actor_type: 'system', actor_id: 'consents.maintenance' },
    ]);
    expect(await deliveries(c.id)).toEqual(['consent.expired']);
    expect(await emails(bob, 'consent-expired')).toBe(1);
    expect(await emails(bob, 'consent-expiring')).toBe(1);
    expect(await emails(bob, 'consent-inactivity-warning')).toBe(0);
    const event = await eventually(
      () => hook.events.find((e) => e.data.consentId === c.id),
      15_000,
      'the consent.expired webhook',
    );
    expect(event).toMatchObject({ type: 'consent.expired', data: { consentId: c.id, revokedBy: 'expiry' } });
    const expired = await t.smtp.waitFor((m) => m.to.includes(bob.email) && /has ended/.test(m.subject));
    expect(expired.text).toContain(`ended on ${customerDay(c.expiresAt)}`);
    expect(prose(expired.text)).not.toMatch(INTERNAL_ID);
  });

  it('neither warns nor revokes a consent the app used recently, and warns again after a new idle period', async () => {
    const carol = customers[2]!;
    const c = await grantConsent(t, app, carol);
    const day = (n: number) => at(c.createdAt, n);

    await setLastUsed(c.id, day(20));
    await runTwice(day(30));
    await runTwice(day(42));
    expect(await consentRow(c.id)).toMatchObject({ status: 'active', version: 1 });
    expect(await emails(carol, 'consent-inactivity-warning')).toBe(0);

    // Idle from day 20: warned at day 43; used again at day 45, so the warning of day 43 no longer counts.
    await runTwice(day(43));
    expect(await emails(carol, 'consent-inactivity-warning')).toBe(1);
    await setLastUsed(c.id, day(45));
    await runTwice(day(50));
    await runTwice(day(67));
    expect(await emails(carol, 'consent-inactivity-warning')).toBe(1);
    await runTwice(day(68));
    expect(await emails(carol, 'consent-inactivity-warning')).toBe(2);
    const again = await eventually(
      () => t.smtp.to(carol.email).find((m) => m.text.includes(`since ${customerDay(day(45).toISOString())}`)),
      15_000,
      'the second warning, counting from the last use',
    );
    expect(again.subject).toContain(customerDay(day(75).toISOString()));
    expect(await consentRow(c.id)).toMatchObject({ status: 'active', version: 1 });
    await runTwice(day(75));
    expect(await consentRow(c.id)).toMatchObject({ status: 'revoked', revoked_by: 'inactivity' });
  });

  it('sends one email per consent when two runs go at once', async () => {
    const dave = customers[3]!;
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await grantConsent(t, app, dave)).id);
    const day = (n: number) => at(new Date().toISOString(), n);

    await Promise.all([schedulers.run(day(24)), schedulers.run(day(24)), schedulers.warnInactive(day(24))]);
    expect(await emails(dave, 'consent-inactivity-warning')).toBe(8);
    await Promise.all([schedulers.run(day(31)), schedulers.run(day(31)), schedulers.revokeInactive(day(31))]);
    expect(await emails(dave, 'consent-revoked-inactivity')).toBe(8);
    for (const id of ids) {
      expect(await audits(id)).toHaveLength(1);
      expect(await deliveries(id)).toEqual(['consent.revoked']);
      expect(await consentRow(id)).toMatchObject({ status: 'revoked', version: 2 });
    }
  });

  it('keeps the change feed to a day (always its newest row) and deletes ended records past retention', async () => {
    const eve = customers[4]!;
    const old = await grantConsent(t, app, eve);
    await t.app.get(ConsentsService).end(old.id, {
      by: 'customer',
      reason: 'Revoked by the customer',
      actor: { type: 'customer', id: eve.customerId },
    });
    const kept = await grantConsent(t, app, eve);
    const now = new Date();
    // Ended six years and a day ago (CONSENT_RECORD_RETENTION_DAYS default 6 × 365).
    await t.dataSource.query(`UPDATE consents SET revoked_at = $2 WHERE id = $1`, [
      old.id,
      at(now.toISOString(), -2191),
    ]);
    await t.dataSource.query(`UPDATE consent_changes SET changed_at = $1`, [at(now.toISOString(), -2)]);
    const [{ max }] = (await t.dataSource.query(`SELECT max(seq)::text AS max FROM consent_changes`)) as {
      max: string;
    }[];

    expect(await schedulers.deleteOldChanges(now)).toBeGreaterThan(0);
    expect(await t.dataSource.query(`SELECT seq::text FROM consent_changes`)).toEqual([{ seq: max }]);
    expect(await schedulers.deleteOldChanges(now)).toBe(0);

    expect(await schedulers.deleteRecordsPastRetention(now)).toBe(1);
    expect(await schedulers.deleteRecordsPastRetention(now)).toBe(0);
    expect(await consentRow(old.id)).toBeUndefined();
    expect(await t.dataSource.query(`SELECT 1 FROM consent_receipts WHERE consent_id = $1`, [old.id])).toEqual([]);
    expect(await consentRow(kept.id)).toMatchObject({ status: 'active' });
    // The audit log keeps what happened to it, and says when and why its record went.
    expect((await audits(old.id)).map((a) => a.action)).toEqual(['consent.revoked']);
    const purge = (await t.dataSource.query(
      `SELECT actor_id, after FROM audit_entries WHERE action = 'consent.records_deleted' ORDER BY id DESC LIMIT 1`,
    )) as { actor_id: string; after: { consentIds: string[] } }[];
    expect(purge[0]).toMatchObject({ actor_id: 'consents.maintenance', after: { consentIds: [old.id] } });
  });

  it('marks the reminder done without an email address, and gives no inactivity warning when expiry comes first', async () => {
    const hal = customers[7]!;
    const c = await grantConsent(t, app, hal, { expiresAt: at(new Date().toISOString(), 29).toISOString() });
    await t.dataSource.query(`UPDATE customers SET email = NULL WHERE id = $1`, [hal.customerId]);
    const day = (n: number) => at(c.createdAt, n);
    await runTwice(day(23));
    const [row] = (await t.dataSource.query(
      `SELECT expiry_reminder_sent_at IS NOT NULL AS reminded, inactivity_warning_sent_at IS NOT NULL AS warned
         FROM consents WHERE id = $1`,
      [c.id],
    )) as { reminded: boolean; warned: boolean }[];
    // Expiring on day 29, before the inactivity revocation of day 30: a reminder, no warning.
    expect(row).toEqual({ reminded: true, warned: false });
    expect(await emails(hal, 'consent-expiring')).toBe(0);
    await schedulers.run(day(29));
    expect(await consentRow(c.id)).toMatchObject({ status: 'expired', revoked_by: 'expiry' });
  });

  it('runs on the worker as the consents.maintenance job, on the real clock', async () => {
    const grace = customers[6]!;
    const c = await grantConsent(t, app, grace);
    await t.dataSource.query(`UPDATE consents SET expires_at = now() - interval '1 minute' WHERE id = $1`, [c.id]);
    await t.app
      .get(JobQueueService)
      .enqueue(JobName.ConsentsMaintenance, {}, { jobId: `consents-maintenance-e2e-${c.id}` });
    await eventually(
      async () => (await consentRow(c.id))?.status === 'expired',
      15_000,
      'the consent expired by the job',
    );
    expect(await audits(c.id)).toEqual([
      { action: 'consent.expired', actor_type: 'system', actor_id: 'consents.maintenance' },
    ]);
  });

  it('finds due consents through the partial indexes, not by reading the table', async () => {
    const frank = customers[5]!;
    const seed = await grantConsent(t, app, frank);
    // A few thousand consents: active ones created over the last 40 days, expiring from 9 days ago to
    // 80 days ahead (a backlog for both ending steps), and ended ones.
    await t.dataSource.query(
      `INSERT INTO consents (app_id, customer_id, environment, scopes, account_ids, purpose, created_at, expires_at,
                             status, revoked_at, revoked_by)
       SELECT app_id, customer_id, environment, scopes, account_ids, purpose,
              now() - (i % 40) * interval '1 day', now() + (i % 89 - 9) * interval '1 day' + interval '1 hour',
              CASE WHEN i % 10 = 0 THEN 'revoked' ELSE 'active' END,
              CASE WHEN i % 10 = 0 THEN now() - (i % 300) * interval '1 day' END,
              CASE WHEN i % 10 = 0 THEN 'customer' END
         FROM consents, generate_series(1, 5000) AS i WHERE id = $1`,
      [seed.id],
    );
    await t.dataSource.query(`ANALYZE consents`);
    const now = new Date();
    const plan = async (sql: string, params: unknown[]) =>
      JSON.stringify(await t.dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, params));
    try {
      expect(await plan(DUE_SQL.expired, [now, 100])).toContain('consents_active_expiry_idx');
      expect(await plan(DUE_SQL.expiring, [now, 500, 7])).toContain('consents_active_expiry_idx');
      const idle23 = at(now.toISOString(), -23);
      expect(await plan(DUE_SQL.idle, [now, 500, idle23, 30, 23])).toContain('consents_active_use_idx');
      expect(await plan(DUE_SQL.inactive, [now, 100, at(now.toISOString(), -30)])).toContain('consents_active_use_idx');
      expect(await plan(DUE_SQL.pastRetention, [at(now.toISOString(), -2190), 500])).toContain('consents_ended_idx');
      // The ending steps walk the index in order and stop at the batch: no sort of the whole backlog.
      expect(await plan(DUE_SQL.expired, [now, 100])).not.toMatch(/"Node Type":"(Incremental )?Sort"/);
      expect(await plan(DUE_SQL.inactive, [now, 100, at(now.toISOString(), -30)])).not.toMatch(
        /"Node Type":"(Incremental )?Sort"/,
      );
    } finally {
      await t.dataSource.query(`DELETE FROM consents WHERE customer_id = $1 AND id <> $2`, [frank.customerId, seed.id]);
    }
  });
});
