import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimStatement } from '../src/review/claim.statement';
import { ReviewNotificationsService } from '../src/review/review-notifications.service';
import { ReviewTasksService } from '../src/review/review-tasks.service';
import { KybCasesService } from '../src/review/kyb-cases.service';
import { RESCREEN_ACTOR } from '../src/kyc/checks/checks.service';
import { VerificationService } from '../src/kyc/verification/verification.service';
import { OrganisationRecordsService } from '../src/organisations/organisation-records.service';
import { Organisation } from '../src/organisations/organisation.entity';
import { JobOutboxService } from '../src/queue/job-outbox';
import { JobQueueService } from '../src/queue/job-queue.service';
import { JobName, JobPayload } from '../src/queue/queue.registry';
import { Actor, LEEDS, bearer, createOrganisation, developer, staff } from './harness/actors';
import { approvedOrganisation, claim, clearReviewQueue, queuedCase, upload } from './harness/cases';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

const certificate = readFileSync(join(__dirname, 'fixtures', 'uploads', 'certificate-of-incorporation.pdf'));
let seed = 1;

describe('review queue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const decide = (reviewer: Actor, taskId: string, body: object) =>
    t.http().post(`/v1/review/tasks/${taskId}/decision`).set(bearer(reviewer.token)).send(body);
  const status = async (org: string) =>
    (await t.dataSource.getRepository(Organisation).findOneByOrFail({ id: org })).verificationStatus;
  /** Runs one job through the worker (a fresh job id: BullMQ does not take it for a repeat); returns its result. */
  const runJob = async <N extends JobName>(name: N, payload: JobPayload<N>) => {
    const jobs = t.app.get(JobQueueService);
    const jobId = await jobs.enqueue(name, payload, { jobId: `test-${randomUUID()}` });
    return eventually(
      async () => {
        const job = await jobs.queueFor(name).getJob(jobId);
        return (await job?.getState()) === 'completed' ? (job!.returnvalue as unknown) : undefined;
      },
      15_000,
      `job ${name} handled`,
    );
  };
  /** A delivery of kyc's announcement that `organisationId` needs a reviewer. */
  const deliver = (payload: { organisationId: string; submission: number }) => runJob(JobName.ReviewKybCase, payload);

  it('walks submit → checks → claim → case view → approve, and emails the developer', async () => {
    const dev = await developer(t, 'approved');
    const reviewer = await staff(t, 'reviewer');
    const org = await queuedCase(t, dev);
    const task = await claim(t, reviewer, org);
    expect(await status(org)).toBe('in_review');
    expect(new Date(task.leaseExpiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 60_000);

    // The claim started the review in the same statement; its event is queued with the claim's and
    // linked into the hash chain by the worker, as the transition would have appended it.
    const started = async () =>
      (await t.dataSource.query(
        `SELECT actor_type, actor_id, before, after FROM audit_entries WHERE action = 'verification.review_started' AND subject_type = 'organisation' AND subject_id = $1`,
        [org],
      )) as {
        actor_type: string;
        actor_id: string;
        before: unknown;
        after: unknown;
      }[];
    await eventually(async () => (await started()).length === 1, 5_000, 'review_started in the audit chain');
    expect(await started()).toEqual([
      {
        actor_type: 'staff',
        actor_id: reviewer.id,
        before: { status: 'pending_review' },
        after: { status: 'in_review', taskId: task.id },
      },
    ]);

    const view = await t.http().get(`/v1/review/tasks/${task.id}`).set(bearer(reviewer.token)).expect(200);
    expect(view.body.organisation.id).toBe(org);
    expect(view.body.people).toHaveLength(1);
    expect(view.body.documents).toHaveLength(2);
    expect(view.body.documents[0].checks.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['integrity', 'duplicate']),
    );
    expect(view.body.organisation.checks.map((c: { name: string }) => c.name).sort()).toEqual([
      'registry',
      'sanctions',
    ]);
    expect(view.body.history.slice(-3).map((h: { action: string }) => h.action)).toEqual([
      'verification.submit',
      'verification.checks_completed',
      'verification.review_started',
    ]);
    expect(view.body.history.at(-1)).toMatchObject({
      actorType: 'staff',
      actorId: reviewer.id,
      before: { status: 'pending_review' },
      after: { status: 'in_review', taskId: task.id },
    });

    // The claim is audited too: queued with the claim, linked into the hash chain by the worker.
    await eventually(
      async () =>
        (
          await t.dataSource.query(
            `SELECT 1 FROM audit_entries WHERE action = 'review.task_claimed' AND subject_id = $1 AND actor_id = $2`,
            [task.id, reviewer.id],
          )
        ).length === 1,
      5_000,
      'the claim in the audit chain',
    );

    const decided = await decide(reviewer, task.id, {
      decision: 'approve',
      reasonCodes: ['documents_verified', 'identity_confirmed'],
      note: 'All consistent.',
      claimVersion: task.claimVersion,
    }).expect(200);
    expect(decided.body.verificationStatus).toBe('approved');
    await t.smtp.waitFor((m) => m.to.includes(dev.email) && /is verified/.test(m.subject));
    const verification = await t.http().get(`/v1/organisations/${org}/verification`).set(bearer(dev.token)).expect(200);
    expect(verification.body.status).toBe('approved');
    expect(verification.body.expiresAt).not.toBeNull();
  });

  it('rejects with reasons the developer can read', async () => {
    const dev = await developer(t, 'rejected');
    const reviewer = await staff(t, 'reviewer');
    const org = await queuedCase(t, dev);
    const task = await claim(t, reviewer, org);
    await decide(reviewer, task.id, {
      decision: 'reject',
      reasonCodes: ['fraud_suspected'],
      note: 'The certificate does not match the register.',
    }).expect(200);
    expect(await status(org)).toBe('rejected');
    // Decided at once after the claim: the chain still has the queued review start before the decision.
    const chain = (await t.dataSource.query(
      `SELECT action FROM audit_entries WHERE subject_type = 'organisation' AND subject_id = $1 ORDER BY id`,
      [org],
    )) as { action: string }[];
    expect(chain.map((e) => e.action).slice(-2)).toEqual(['verification.review_started', 'verification.reject']);
    const mail = await t.smtp.waitFor((m) => m.to.includes(dev.email) && /could not be verified/.test(m.subject));
    expect(mail.text).toContain('Signs of forgery or fraud');
    const verification = await t.http().get(`/v1/organisations/${org}/verification`).set(bearer(dev.token)).expect(200);
    expect(verification.body.reasons).toEqual([{ code: 'fraud_suspected', text: 'Signs of forgery or fraud' }]);
  });

  it('requests information; the developer sees the items, fixes, resubmits, and a reviewer approves', async () => {
    const dev = await developer(t, 'inforeq');
    const reviewer = await staff(t, 'reviewer');
    const org = await queuedCase(t, dev);
    const task = await claim(t, reviewer, org);
    await decide(reviewer, task.id, {
      decision: 'request_info',
      reasonCodes: ['insufficient_information'],
      note: 'Need the register.',
      requestedItems: [
        {
          requirement: 'organisation.shareholder_register',
          message: 'Please upload the current shareholder register.',
        },
      ],
    }).expect(200);
    expect(await status(org)).toBe('info_requested');
    const mail = await t.smtp.waitFor((m) => m.to.includes(dev.email) && /more information/.test(m.subject));
    expect(mail.text).toContain('organisation.shareholder_register: Please upload the current shareholder register.');
    const v = await t.http().get(`/v1/organisations/${org}/verification`).set(bearer(dev.token)).expect(200);
    expect(v.body.requirements.errors).toEqual([
      expect.objectContaining({
        requirement: 'organisation.shareholder_register',
        message: 'Please upload the current shareholder register.',
      }),
    ]);
    expect(v.body.requirements.currentlyDue).toContain('organisation.shareholder_register');

    await upload(t, dev.token, org, Buffer.concat([certificate, Buffer.from(`% register ${org}\n%%EOF\n`)]), {
      type: 'shareholder_register',
    }).expect(201);
    await t.http().post(`/v1/organisations/${org}/verification/submit`).set(bearer(dev.token)).expect(202);
    await eventually(async () => (await status(org)) === 'pending_review', 30_000, 'back in the queue');
    // Review opens the new task when kyc's announcement reaches it.
    await eventually(
      async () =>
        (
          await t.dataSource.query(`SELECT 1 FROM review_tasks WHERE organisation_id = $1 AND status = 'pending'`, [
            org,
          ])
        ).length === 1,
      15_000,
      'a new review task',
    );
    const again = await claim(t, reviewer, org);
    await decide(reviewer, again.id, {
      decision: 'approve',
      reasonCodes: ['documents_verified'],
      note: 'Register received.',
    }).expect(200);
    expect(await status(org)).toBe('approved');
  });

  it('opens the kyb task kyc announces once, however often the announcement arrives', async () => {
    const dev = await developer(t, 'announce');
    const org = await queuedCase(t, dev);
    const openTasks = async (id: string) =>
      (await t.dataSource.query(`SELECT id FROM review_tasks WHERE organisation_id = $1 AND status = 'pending'`, [id]))
        .length;
    // A second delivery while the task is open, and one of an earlier submission, open nothing.
    expect(await deliver({ organisationId: org, submission: 1 })).toEqual({ taskId: null });
    expect(await deliver({ organisationId: org, submission: 0 })).toEqual({ taskId: null });
    expect(await openTasks(org)).toBe(1);

    // Announced through the outbox: a rolled-back transaction announces nothing, a committed one does.
    const other = await queuedCase(t, dev);
    await t.dataSource.query(`UPDATE review_tasks SET status = 'cancelled' WHERE organisation_id = ANY($1::uuid[])`, [
      [org, other],
    ]);
    const outbox = t.app.get(JobOutboxService);
    await expect(
      t.dataSource.transaction(async (m) => {
        await outbox.enqueue(m, JobName.ReviewKybCase, { organisationId: org, submission: 1 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const announced = `SELECT count(*)::int AS n FROM job_outbox WHERE payload->>'organisationId' = $1`;
    expect((await t.dataSource.query(announced, [org]))[0].n).toBe(0);
    // Left in pending_review with no task, `org` is what the every-minute repair opens: close it.
    await clearReviewQueue(t, [org]);
    await t.dataSource.transaction((m) =>
      outbox.enqueue(m, JobName.ReviewKybCase, { organisationId: other, submission: 1 }),
    );
    await eventually(async () => (await openTasks(other)) === 1, 15_000, 'the announced task');
    expect(await openTasks(org)).toBe(0);
    await clearReviewQueue(t, [other]);
  });

  it('releases a case back to pending_review; the next claim starts its review again', async () => {
    const dev = await developer(t, 'release');
    const [a, b] = [await staff(t, 'reviewer'), await staff(t, 'reviewer')];
    const org = await queuedCase(t, dev);
    const first = await claim(t, a, org);
    expect(await status(org)).toBe('in_review');
    await t.http().post(`/v1/review/tasks/${first.id}/release`).set(bearer(b.token)).expect(409);
    await t.http().post(`/v1/review/tasks/${first.id}/release`).set(bearer(a.token)).expect(204);
    expect(await status(org)).toBe('pending_review');
    const second = await claim(t, b, org);
    expect(second.id).toBe(first.id);
    expect(await status(org)).toBe('in_review');
    const events = async () =>
      (await t.dataSource.query(
        `SELECT action, actor_id FROM audit_entries WHERE subject_type = 'organisation' AND subject_id = $1 AND action LIKE 'verification.review_%' ORDER BY created_at, id`,
        [org],
      )) as { action: string; actor_id: string }[];
    await eventually(
      async () => (await events()).length === 3,
      5_000,
      'both review starts and the release in the audit chain',
    );
    expect(await events()).toEqual([
      { action: 'verification.review_started', actor_id: a.id },
      { action: 'verification.review_released', actor_id: a.id },
      { action: 'verification.review_started', actor_id: b.id },
    ]);
  });

  it('needs a second, different senior reviewer for a high-risk approval', async () => {
    const dev = await developer(t, 'highrisk');
    const senior1 = await staff(t, 'senior_reviewer');
    const senior2 = await staff(t, 'senior_reviewer');
    const reviewer = await staff(t, 'reviewer');
    const org = await queuedCase(t, dev);
    await t.dataSource.query(`UPDATE organisations SET risk_level = 'high' WHERE id = $1`, [org]);
    await t.dataSource.query(`UPDATE review_tasks SET risk_level = 'high', risk_rank = 0 WHERE organisation_id = $1`, [
      org,
    ]);
    const first = await claim(t, senior1, org);
    await decide(senior1, first.id, {
      decision: 'approve',
      reasonCodes: ['documents_verified'],
      note: 'Looks fine to me.',
    }).expect(200);
    expect(await status(org)).toBe('awaiting_second_approval');
    // Neither the first approver nor a plain reviewer can take the second approval.
    await t.http().post('/v1/review/tasks/claim').set(bearer(senior1.token)).expect(204);
    await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(204);
    const second = await claim(t, senior2, org);
    await decide(senior2, second.id, {
      decision: 'approve',
      reasonCodes: ['identity_confirmed'],
      note: 'Confirmed independently.',
    }).expect(200);
    expect(await status(org)).toBe('approved');
    const decisions = await t.dataSource.query(
      `SELECT reviewer_id, stage FROM review_decisions WHERE organisation_id = $1 ORDER BY created_at`,
      [org],
    );
    expect(decisions).toEqual([
      { reviewer_id: senior1.id, stage: 'first' },
      { reviewer_id: senior2.id, stage: 'second' },
    ]);
  });

  it('refuses a decision from a reviewer whose lease expired and was re-claimed; the new holder decides', async () => {
    const dev = await developer(t, 'lease');
    const a = await staff(t, 'reviewer');
    const b = await staff(t, 'reviewer');
    const org = await queuedCase(t, dev);
    const claimA = await claim(t, a, org);
    await t.dataSource.query(`UPDATE review_tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [
      claimA.id,
    ]);
    const claimB = await claim(t, b, org);
    expect(claimB.id).toBe(claimA.id);
    expect(claimB.claimVersion).toBe(claimA.claimVersion + 1);
    const late = await decide(a, claimA.id, { decision: 'approve', reasonCodes: ['documents_verified'], note: 'late' });
    expect(late.status).toBe(409);
    await decide(b, claimB.id, {
      decision: 'approve',
      reasonCodes: ['documents_verified'],
      note: 'current holder',
      claimVersion: claimB.claimVersion,
    }).expect(200);
    expect(await status(org)).toBe('approved');
  });

  it('never lets a staff member claim an organisation they belong to', async () => {
    const reviewer = await staff(t, 'reviewer');
    // One account per email: a staff member cannot also sign up as a developer with it …
    await t
      .http()
      .post('/v1/auth/signup')
      .send({ email: reviewer.email.toUpperCase(), password: 'a long and uncommon passphrase 42', name: 'Same Person' })
      .expect(409);
    // … and should their account be a member of an organisation anyway, its case is not theirs to review.
    const dev = await developer(t, 'conflicted');
    const org = await queuedCase(t, dev);
    await t.dataSource.query(
      `INSERT INTO organisation_members (organisation_id, user_id, role) VALUES ($1, $2, 'member')`,
      [org, reviewer.id],
    );
    await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(204);
    const other = await staff(t, 'reviewer');
    await claim(t, other, org);
  });

  it('skips a staff member’s own organisation inside the pick: they get the next task, not nothing', async () => {
    const reviewer = await staff(t, 'reviewer');
    const own = await queuedCase(t, await developer(t, 'own-first'));
    const next = await queuedCase(t, await developer(t, 'own-next'));
    await t.dataSource.query(
      `INSERT INTO organisation_members (organisation_id, user_id, role) VALUES ($1, $2, 'member')`,
      [own, reviewer.id],
    );
    // Their own organisation's task is the best in the queue.
    await t.dataSource.query(
      `UPDATE review_tasks SET risk_rank = 0, due_at = now() - interval '1 day' WHERE organisation_id = $1`,
      [own],
    );
    await claim(t, reviewer, next);
    expect(await status(next)).toBe('in_review');
    expect(await status(own)).toBe('pending_review');
    await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(204);
    await claim(t, await staff(t, 'reviewer'), own);
  });

  it('suspends and reinstates, emailing the owners; only senior reviewers may', async () => {
    const dev = await developer(t, 'suspend');
    const reviewer = await staff(t, 'reviewer');
    const senior = await staff(t, 'senior_reviewer');
    const org = await queuedCase(t, dev);
    const task = await claim(t, reviewer, org);
    await decide(reviewer, task.id, { decision: 'approve', reasonCodes: ['documents_verified'], note: 'ok' }).expect(
      200,
    );
    await t
      .http()
      .post(`/v1/review/organisations/${org}/suspend`)
      .set(bearer(reviewer.token))
      .send({ reason: 'x' })
      .expect(403);
    await t
      .http()
      .post(`/v1/review/organisations/${org}/suspend`)
      .set(bearer(senior.token))
      .send({ reason: 'Complaint under investigation' })
      .expect(200);
    expect(await status(org)).toBe('suspended');
    await t.smtp.waitFor((m) => m.to.includes(dev.email) && /is suspended/.test(m.subject));
    await t
      .http()
      .post(`/v1/review/organisations/${org}/reinstate`)
      .set(bearer(senior.token))
      .send({ reason: 'Resolved' })
      .expect(200);
    expect(await status(org)).toBe('approved');
    await t
      .http()
      .post(`/v1/review/organisations/${randomUUID()}/suspend`)
      .set(bearer(senior.token))
      .send({ reason: 'x' })
      .expect(404);
  });

  it('keeps developers out of review and audit, and reviewers out of audit', async () => {
    const dev = await developer(t, 'nosy');
    const reviewer = await staff(t, 'reviewer');
    const senior = await staff(t, 'senior_reviewer');
    for (const [method, path] of [
      ['get', '/v1/review/tasks'],
      ['post', '/v1/review/tasks/claim'],
      ['get', `/v1/review/tasks/${randomUUID()}`],
      ['get', '/v1/audit'],
      ['get', '/v1/audit/verify'],
      ['get', '/v1/audit/export'],
    ] as const) {
      expect({ path, status: (await t.http()[method](path).set(bearer(dev.token))).status }).toEqual({
        path,
        status: 403,
      });
    }
    for (const path of ['/v1/audit', '/v1/audit/verify', '/v1/audit/export'])
      expect({ path, status: (await t.http().get(path).set(bearer(reviewer.token))).status }).toEqual({
        path,
        status: 403,
      });
    await eventually(
      async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_queue`))[0].n === 0,
      5_000,
      'queued audit events chained',
    );
    const verify = await t.http().get('/v1/audit/verify').set(bearer(senior.token)).expect(200);
    expect(verify.body.ok).toBe(true);
    const exported = await t.http().get('/v1/audit/export').set(bearer(senior.token)).expect(200);
    expect(exported.body.entries.length).toBe(Number(exported.body.head.entryCount));
    expect(exported.body.publicKey).toMatch(/BEGIN PUBLIC KEY/);
  });

  it('sends reviewers a digest at most every 15 minutes and an SLA alert at 80 % unclaimed', async () => {
    const reviewer = await staff(t, 'reviewer');
    const dev = await developer(t, 'digest');
    const org = await queuedCase(t, dev);
    const service = t.app.get(ReviewNotificationsService);
    const first = await service.run();
    expect(first.digests).toBeGreaterThan(0);
    await t.smtp.waitFor((m) => m.to.includes(reviewer.email) && /review task/.test(m.subject));
    expect((await service.run()).digests).toBe(0);
    // Pretend the task was created long ago: 80 % of its SLA has gone.
    await t.dataSource.query(
      `UPDATE review_tasks SET created_at = now() - interval '3 days', due_at = now() + interval '1 hour' WHERE organisation_id = $1`,
      [org],
    );
    expect((await service.run()).slaAlerts).toBe(1);
    await t.smtp.waitFor((m) => m.to.includes(reviewer.email) && /SLA/.test(m.subject));
    expect((await service.run()).slaAlerts).toBe(0);
  });

  describe('the claim statement', () => {
    /** An organisation in `status` with one pending first-stage KYB task, ranked ahead of every other pending task. */
    async function caseIn(status: string): Promise<string> {
      const dev = await developer(t, `claim-${status}`);
      const address = { line1: '3 Mill Lane', city: 'Hull', postcode: 'HU1 1AA', country: 'GB' };
      const org = await createOrganisation(t, dev, { legalName: `Claims ${seed++} Ltd`, registeredAddress: address });
      await t.dataSource.query(`UPDATE organisations SET verification_status = $2 WHERE id = $1`, [org, status]);
      const loaded = await t.dataSource.getRepository(Organisation).findOneByOrFail({ id: org });
      await t.dataSource.transaction((m) => t.app.get(ReviewTasksService).createKybTask(m, loaded, 'first'));
      await t.dataSource.query(`UPDATE review_tasks SET risk_rank = -1 WHERE organisation_id = $1`, [org]);
      return org;
    }
    /** The case's review_started events, queued or already chained. */
    const reviewStarts = async (org: string) =>
      (await t.dataSource.query(
        `SELECT before, after FROM audit_queue WHERE subject_id = $1 AND action = 'verification.review_started'
         UNION ALL SELECT before, after FROM audit_entries WHERE subject_id = $1 AND action = 'verification.review_started'`,
        [org],
      )) as { before: unknown; after: { status: string; taskId: string } }[];

    it.each(['suspended', 'info_requested', 'submitted'])(
      'leases a first-stage task whose case is %s (not the table’s from-state) without moving the case',
      async (caseStatus) => {
        const reviewer = await staff(t, 'reviewer');
        const org = await caseIn(caseStatus);
        const task = await claim(t, reviewer, org);
        expect(await status(org)).toBe(caseStatus);
        expect(await reviewStarts(org)).toEqual([]);
        await t.http().post(`/v1/review/tasks/${task.id}/release`).set(bearer(reviewer.token)).expect(204);
        expect(await status(org)).toBe(caseStatus);
        await claim(t, reviewer, org);
      },
    );

    it('moves a pending_review case as the table’s review_started says, with its audit event', async () => {
      const reviewer = await staff(t, 'reviewer');
      const org = await caseIn('pending_review');
      const task = await claim(t, reviewer, org);
      expect(await status(org)).toBe('in_review');
      expect(await reviewStarts(org)).toEqual([
        { before: { status: 'pending_review' }, after: { status: 'in_review', taskId: task.id } },
      ]);
    });

    it('performs whatever transition it is built from: another entry moves another state, and not pending_review', async () => {
      // A table entry other than today's, as if someone changed VERIFICATION_TRANSITIONS.review_started.
      const changed = claimStatement('review_started', { from: ['info_requested'], to: 'submitted' });
      const reviewer = await staff(t, 'reviewer');
      const run = async () =>
        (
          (await t.dataSource.query(changed, [reviewer.id, false, reviewer.email, 60, null, true])) as {
            id: string;
            organisation_id: string;
          }[]
        )[0]!;

      const moved = await caseIn('info_requested');
      const first = await run();
      expect(first.organisation_id).toBe(moved);
      expect(await status(moved)).toBe('submitted');
      expect(await reviewStarts(moved)).toEqual([
        { before: { status: 'info_requested' }, after: { status: 'submitted', taskId: first.id } },
      ]);

      const kept = await caseIn('pending_review');
      const second = await run();
      expect(second.organisation_id).toBe(kept);
      expect(await status(kept)).toBe('pending_review');
      expect(await reviewStarts(kept)).toEqual([]);
    });
  });

  describe('cases whose announcement was lost', () => {
    // Claims below must get this test's task, not an earlier test's leftover.
    beforeEach(() => clearReviewQueue(t));
    const kybTasks = async (org: string) =>
      (await t.dataSource.query(
        `SELECT status FROM review_tasks WHERE type = 'kyb' AND subject_id = $1 ORDER BY created_at`,
        [org],
      )) as { status: string }[];
    /** The every-minute review job, as the schedule runs it, and the repair itself, twice at once. */
    const repairTwice = async () => {
      await runJob(JobName.ReviewNotifications, {});
      await Promise.all([t.app.get(KybCasesService).openMissing(), t.app.get(KybCasesService).openMissing()]);
    };
    const approvedCase = async (dev: Actor, reviewer: Actor) => {
      const org = await createOrganisation(t, dev, { legalName: `Suspended ${++seed} Ltd`, registeredAddress: LEEDS });
      await approvedOrganisation(t, dev, org, reviewer);
      return org;
    };
    /** Suspends `org` as sanctions re-screening does; `announce` false: its announcement is lost. */
    const rescreeningSuspends = (org: string, announce: boolean) =>
      t.dataSource.transaction(async (m) => {
        const locked = (await t.app.get(OrganisationRecordsService).lockForUpdate(m, org))!;
        const details = { reason: 'test hit' };
        await t.app.get(VerificationService).transition(m, locked, 'suspend', RESCREEN_ACTOR, undefined, details);
        const announcement = { organisationId: org, submission: locked.submissionCount };
        if (announce) await t.app.get(JobOutboxService).enqueue(m, JobName.ReviewKybCase, announcement);
      });

    it('opens the task of a pending_review case whose job failed for good, once however often it runs', async () => {
      const dev = await developer(t, 'lost-task');
      const org = await queuedCase(t, dev);
      // As after the review.kyb-case job failed all its attempts: checks done, no task.
      await t.dataSource.query(`DELETE FROM review_tasks WHERE subject_id = $1`, [org]);
      await repairTwice();
      expect(await kybTasks(org)).toEqual([{ status: 'pending' }]);
      expect(await status(org)).toBe('pending_review');
      await clearReviewQueue(t, [org]);
    });

    it('opens the task of a pending_review case whose job_outbox row never reached the queue', async () => {
      const dev = await developer(t, 'lost-row');
      const org = await queuedCase(t, dev);
      // As if the announcement row were lost (parked by the relay, or deleted): the case waits with no task.
      await t.dataSource.query(`DELETE FROM review_tasks WHERE subject_id = $1`, [org]);
      await t.dataSource.query(`DELETE FROM job_outbox WHERE payload->>'organisationId' = $1`, [org]);
      await repairTwice();
      expect(await kybTasks(org)).toEqual([{ status: 'pending' }]);
      await clearReviewQueue(t, [org]);
    });

    it('opens the task of a re-screening suspension whose announcement was lost, once', async () => {
      const dev = await developer(t, 'lost-suspension');
      const org = await approvedCase(dev, await staff(t, 'reviewer'));
      await rescreeningSuspends(org, false);
      await repairTwice();
      expect(await kybTasks(org)).toEqual([{ status: 'done' }, { status: 'pending' }]);
      await clearReviewQueue(t, [org]);
    });

    it('never reopens a suspended case a reviewer rejected: not by the repair, nor a late duplicate job', async () => {
      const dev = await developer(t, 'upheld');
      const reviewer = await staff(t, 'reviewer');
      const org = await approvedCase(dev, reviewer);
      const submission = 1;
      await rescreeningSuspends(org, true);
      await eventually(async () => (await kybTasks(org)).length === 2, 15_000, 'the re-screening task');
      const task = await claim(t, reviewer, org);
      const rejection = { decision: 'reject', reasonCodes: ['fraud_suspected'], note: 'The hit is this director.' };
      await decide(reviewer, task.id, rejection).expect(200);
      expect(await status(org)).toBe('suspended');
      await repairTwice();
      expect(await deliver({ organisationId: org, submission })).toEqual({ taskId: null });
      expect(await kybTasks(org)).toEqual([{ status: 'done' }, { status: 'done' }]);
      expect(await status(org)).toBe('suspended');
    });

    it('opens no task for a suspension by staff, which asks for no review', async () => {
      const dev = await developer(t, 'staff-suspension');
      const senior = await staff(t, 'senior_reviewer');
      const org = await approvedCase(dev, await staff(t, 'reviewer'));
      const suspend = t.http().post(`/v1/review/organisations/${org}/suspend`).set(bearer(senior.token));
      await suspend.send({ reason: 'Complaint under investigation' }).expect(200);
      await repairTwice();
      expect(await kybTasks(org)).toEqual([{ status: 'done' }]);
    });
  });

  it('gives each of 200 tasks to exactly one of 20 reviewers claiming in parallel', async () => {
    const dev = await developer(t, 'bulk');
    const org = await createOrganisation(t, dev, {
      legalName: 'Bulk Ltd',
      registeredAddress: { line1: '1 A St', city: 'York', postcode: 'YO1 7HH', country: 'GB' },
    });
    // Clear the queue of earlier tests' leftovers, then add 200 tasks.
    await clearReviewQueue(t);
    await t.dataSource.query(
      `INSERT INTO review_tasks (type, subject_id, organisation_id, stage, risk_level, stage_rank, risk_rank, due_at)
       SELECT 'kyb', $1, $1, 'first', (ARRAY['low','medium','high'])[1 + i % 3], 1, i % 3, now() + make_interval(mins => i) FROM generate_series(1, 200) i`,
      [org],
    );
    const reviewers = await Promise.all(Array.from({ length: 20 }, () => staff(t, 'reviewer')));
    const claimed: string[][] = await Promise.all(
      reviewers.map(async (r) => {
        const mine: string[] = [];
        for (;;) {
          const res = await t.http().post('/v1/review/tasks/claim').set(bearer(r.token));
          if (res.status === 204) return mine;
          expect(res.status).toBe(200);
          mine.push(res.body.id);
        }
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM review_tasks WHERE organisation_id = $1 AND status = 'claimed'`,
      [org],
    );
    expect(n).toBe(200);
    // More than one reviewer got work: the claims really ran side by side.
    expect(claimed.filter((c) => c.length > 0).length).toBeGreaterThan(1);
  }, 120_000);
});
