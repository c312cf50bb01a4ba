import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Principal } from '../accounts/principal';
import { Actor } from '../accounts/staff.service';
import { AuditService } from '../audit/audit.service';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import { CURSOR_KINDS, Page, decodeCursor, toPage } from '../common/pagination/pagination';
import { staffCheckView } from '../kyc/checks/check-view';
import { CheckRecord } from '../kyc/checks/check.entity';
import { documentView } from '../kyc/documents/documents.service';
import { KybDocument } from '../kyc/documents/document.entity';
import { personView } from '../kyc/people/people.service';
import { Person } from '../kyc/people/person.entity';
import { VerificationService } from '../kyc/verification/verification.service';
import { OutboxService } from '../notifications/outbox.service';
import { Organisation } from '../organisations/organisation.entity';
import { APP_REVIEW_HANDLER, AppReviewHandler } from './app-review-handler';
import { DecisionDto } from './dto/decision.dto';
import { ReviewDecision, ReviewTask } from './review-task.entity';
import { LEASE_MS, REASON_CODES, REQUEST_INFO_DEADLINE_DAYS, RISK_RANK, SLA_WORKING_DAYS, STAGE_RANK, addWorkingDays } from './review.rules';

export interface TaskView {
  id: string;
  type: string;
  subjectId: string;
  organisationId: string;
  stage: string;
  status: string;
  riskLevel: string;
  dueAt: string;
  claimedBy: string | null;
  claimVersion: number;
  leaseExpiresAt: string | null;
  createdAt: string;
}

const taskView = (t: ReviewTask): TaskView => ({
  id: t.id,
  type: t.type,
  subjectId: t.subjectId,
  organisationId: t.organisationId,
  stage: t.stage,
  status: t.status,
  riskLevel: t.riskLevel,
  dueAt: t.dueAt.toISOString(),
  claimedBy: t.claimedBy,
  claimVersion: t.claimVersion,
  leaseExpiresAt: t.leaseExpiresAt?.toISOString() ?? null,
  createdAt: t.createdAt.toISOString(),
});

interface TaskRow {
  id: string;
  type: string;
  subject_id: string;
  organisation_id: string;
  stage: string;
  status: string;
  risk_level: string;
  due_at: Date;
  claimed_by: string | null;
  claim_version: number;
  lease_expires_at: Date | null;
  first_approver_id: string | null;
  senior_only: boolean;
  created_at: Date;
}

const fromRow = (r: TaskRow): ReviewTask => Object.assign(new ReviewTask(), {
  id: r.id,
  type: r.type,
  subjectId: r.subject_id,
  organisationId: r.organisation_id,
  stage: r.stage,
  status: r.status,
  riskLevel: r.risk_level,
  dueAt: r.due_at,
  claimedBy: r.claimed_by,
  claimVersion: r.claim_version,
  leaseExpiresAt: r.lease_expires_at,
  firstApproverId: r.first_approver_id,
  seniorOnly: r.senior_only,
  createdAt: r.created_at,
});

/**
 * The claim (see `pick()`): the reviewer's own organisations, the pick (`FOR UPDATE SKIP LOCKED`,
 * nothing joined inside), the lease, the start of the case's review and the queued audit events,
 * in one statement. Parameters: reviewer id, senior?, reviewer email, lease seconds, request id,
 * inTransaction. Exported for bench/claims.ts, which measures it bare.
 */
export const CLAIM_STATEMENT = `WITH own AS MATERIALIZED (
         SELECT coalesce(array_agg(om.organisation_id), '{}') AS ids,
                CASE WHEN NOT $6 THEN set_config('synchronous_commit', 'off', true) END AS commit_mode
           FROM organisation_members om JOIN users u ON u.id = om.user_id WHERE u.email = $3),
       candidate AS (
         SELECT id FROM review_tasks
          WHERE status = 'pending'
            AND (stage = 'first' OR ($2 AND first_approver_id IS DISTINCT FROM $1))
            AND array_position((SELECT ids FROM own), organisation_id) IS NULL
            AND (NOT senior_only OR $2)
          ORDER BY stage_rank, risk_rank, due_at, id
          LIMIT 1
          FOR UPDATE SKIP LOCKED),
       picked AS (
         UPDATE review_tasks
            SET status = 'claimed', claimed_by = $1, claim_version = claim_version + 1, lease_expires_at = now() + make_interval(secs => $4), updated_at = now()
          WHERE id = (SELECT id FROM candidate)
          RETURNING *),
       started AS (
         UPDATE organisations o SET verification_status = 'in_review', updated_at = now()
           FROM picked
          WHERE o.id = picked.organisation_id AND picked.type = 'kyb' AND picked.stage = 'first' AND o.verification_status = 'pending_review'
          RETURNING o.id, picked.id AS task_id),
       audited AS (
         INSERT INTO audit_queue (actor_type, actor_id, action, subject_type, subject_id, before, after, request_id, created_at)
         SELECT 'staff', $1::text, 'review.task_claimed', 'review_task', picked.id::text, NULL,
                jsonb_build_object('claimVersion', picked.claim_version, 'organisationId', picked.organisation_id), $5, now()
           FROM picked
         UNION ALL
         SELECT 'staff', $1::text, 'verification.review_started', 'organisation', started.id::text, jsonb_build_object('status', 'pending_review'),
                jsonb_build_object('status', 'in_review', 'taskId', started.task_id), $5, now()
           FROM started)
       SELECT * FROM picked`;

/** Returns tasks whose lease ran out to the queue (`releaseExpiredLeases`). */
export const SWEEP_EXPIRED_LEASES_STATEMENT = `UPDATE review_tasks SET status = 'pending', claimed_by = NULL, lease_expires_at = NULL, updated_at = now()
  WHERE id IN (SELECT id FROM review_tasks WHERE status = 'claimed' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED)`;

const actorOf = (p: Principal): Actor => ({ type: 'staff', id: p.userId });

/**
 * The review queue. Claims are one UPDATE around a `FOR UPDATE SKIP LOCKED` pick, so concurrent
 * reviewers never get the same task; decisions are recorded only by the current lease holder,
 * checked in the same statement that closes the task.
 */
@Injectable()
export class ReviewTasksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly verification: VerificationService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    @Inject(APP_REVIEW_HANDLER) private readonly appReviews: AppReviewHandler,
  ) {}

  /** The pg Pool under TypeORM's DataSource: the same connections, settings and type parsers. */
  private get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  /** Called in the transaction that moved a case to pending_review (or awaiting a second approval). */
  async createKybTask(m: EntityManager, org: Organisation, stage: 'first' | 'second', firstApproverId: string | null = null): Promise<string> {
    const risk = org.riskLevel ?? 'medium';
    const rows = (await m.query(
      `INSERT INTO review_tasks (type, subject_id, organisation_id, stage, risk_level, stage_rank, risk_rank, due_at, first_approver_id)
       VALUES ('kyb', $1, $1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [org.id, stage, risk, STAGE_RANK[stage], RISK_RANK[risk] ?? 1, addWorkingDays(new Date(), SLA_WORKING_DAYS), firstApproverId],
    )) as { id: string }[];
    return rows[0]!.id;
  }

  /** Opens the review of an app's production-access request; high-tier scopes only a senior reviewer may claim. */
  async createAppTask(m: EntityManager, params: { appId: string; organisationId: string; riskLevel: 'low' | 'medium' | 'high'; seniorOnly: boolean }): Promise<string> {
    const rows = (await m.query(
      `INSERT INTO review_tasks (type, subject_id, organisation_id, stage, risk_level, stage_rank, risk_rank, due_at, senior_only)
       VALUES ('app', $1, $2, 'first', $3, $4, $5, $6, $7) RETURNING id`,
      [params.appId, params.organisationId, params.riskLevel, STAGE_RANK.first, RISK_RANK[params.riskLevel] ?? 1, addWorkingDays(new Date(), SLA_WORKING_DAYS), params.seniorOnly],
    )) as { id: string }[];
    return rows[0]!.id;
  }

  /**
   * Claims the best task for this reviewer: one statement in autocommit (see `pick()`), which also
   * starts the case's review when this is its first claim. A transaction is opened only when
   * nothing is pending: expired leases are returned to the queue first, then the pick runs again.
   */
  async claim(principal: Principal, requestId?: string): Promise<TaskView | undefined> {
    const params = [principal.userId, principal.staffRole === 'senior_reviewer', principal.email, LEASE_MS / 1000, requestId ?? null];
    // The hot path goes to the driver's pool as a named (prepared) statement: each connection
    // parses it once and can keep its plan, where an unnamed statement was parsed and planned on
    // every claim (about as long as executing it).
    const fast = await this.pick((text, values) => this.pool.query({ name: 'review-tasks-claim', text, values }).then((r) => r.rows as unknown[]), [...params, false]);
    if (fast) return taskView(fromRow(fast));
    return this.dataSource.transaction(async (m) => {
      // Nothing pending: return expired leases to the queue and look once more. (The worker also
      // does this every minute, so an expired task never waits long behind pending ones.)
      await this.releaseExpiredLeases(m);
      const picked = await this.pick((text, values) => m.query(text, values) as Promise<unknown[]>, [...params, true]);
      return picked && taskView(fromRow(picked));
    });
  }

  /**
   * One statement: pick the best pending task (FOR UPDATE SKIP LOCKED, nothing joined inside the
   * locked select), lease it, start the case's review if this is its first claim, and queue the
   * audit events.
   *
   * Parameters: reviewer id, senior?, reviewer email, lease seconds, request id, inTransaction.
   * - A staff member never reviews an organisation they belong to (a member account with their
   *   email). Those organisations are read once, in the `own` CTE (an index lookup of the email,
   *   then of that user's memberships); the locked select sees them only as an uncorrelated array
   *   (an InitPlan, evaluated once before the scan, locking nothing), as when they were passed in
   *   as a parameter. `array_position(…) IS NULL` rather than `<> ALL(…)`: the planner cannot see
   *   the array, and with `<> ALL` it estimated that almost no task of a large organisation
   *   qualifies and sorted the whole queue instead of reading the queue index.
   * - The first claim of a case starts its review: `started` is `VerificationService.transition(…,
   *   'review_started', …)` done set-wise, guarded by the transition's only from-state
   *   (`pending_review` → `in_review`, verification.transitions.ts) in the UPDATE's WHERE, so of two
   *   claims of one case exactly one moves it (the other waits for the row, re-reads it as
   *   in_review and leaves it), and a case in any other state (second stage, a suspended case
   *   reopened by re-screening) is leased without a transition. No standing listener is involved:
   *   those fire only on transitions into or out of `approved`. Its audit event is queued with the
   *   claim's, in the shape `AuditService.append` records, and chained by the worker
   *   (`AuditService.chainQueued`).
   * - Out of a transaction (`inTransaction` false) the claim commits without waiting for its WAL
   *   flush (`synchronous_commit` off for this statement's own transaction only, reset when it
   *   ends): see docs/decisions.md, "Review claims commit asynchronously". In a transaction the
   *   setting is left alone.
   * Undefined: nothing is pending for this reviewer.
   */
  private async pick(run: (text: string, values: unknown[]) => Promise<unknown[]>, params: unknown[]): Promise<TaskRow | undefined> {
    const rows = (await run(
      CLAIM_STATEMENT,
      params,
    )) as TaskRow[];
    return rows[0];
  }

  /** Puts tasks whose lease ran out back in the queue (their claim version stays, so old holders cannot decide). */
  async releaseExpiredLeases(m: EntityManager = this.dataSource.manager): Promise<number> {
    const [, count] = (await m.query(
      SWEEP_EXPIRED_LEASES_STATEMENT,
    )) as [unknown, number];
    return count;
  }

  async release(taskId: string, principal: Principal, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `UPDATE review_tasks SET status = 'pending', claimed_by = NULL, lease_expires_at = NULL, updated_at = now()
          WHERE id = $1 AND status = 'claimed' AND claimed_by = $2 AND lease_expires_at > now() RETURNING *`,
        [taskId, principal.userId],
      )) as [TaskRow[], number];
      const row = rows[0][0];
      if (!row) throw await this.notHolder(m, taskId);
      if (row.type === 'kyb' && row.stage === 'first') {
        const org = await m.getRepository(Organisation).findOne({ where: { id: row.organisation_id }, lock: { mode: 'pessimistic_write' } });
        if (org?.verificationStatus === 'in_review') await this.verification.transition(m, org, 'review_released', actorOf(principal), requestId, { taskId });
      }
      await this.audit.appendSoon(m, { actor: actorOf(principal), action: 'review.task_released', subject: { type: 'review_task', id: taskId }, requestId });
    });
  }

  /**
   * Records a decision. The first statement closes the task only if the caller holds its current,
   * unexpired lease (compare-and-set on the claim version they were given); everything else happens
   * in the same transaction, or not at all.
   */
  async decide(taskId: string, principal: Principal, dto: DecisionDto, requestId?: string): Promise<{ task: TaskView; verificationStatus: string }> {
    if (dto.decision === 'request_info' && !dto.requestedItems?.length) throw new ValidationFailedError([{ field: 'requestedItems', message: 'request_info needs at least one requested item' }]);
    if (dto.decision !== 'request_info' && dto.requestedItems) throw new ValidationFailedError([{ field: 'requestedItems', message: `requestedItems belong to request_info, not ${dto.decision}` }]);
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `UPDATE review_tasks t SET status = 'done', decided_at = now(), updated_at = now()
          WHERE t.id = $1 AND t.status = 'claimed' AND t.claimed_by = $2 AND t.lease_expires_at > now()
            AND ($3::integer IS NULL OR t.claim_version = $3)
          RETURNING *`,
        [taskId, principal.userId, dto.claimVersion ?? null],
      )) as [TaskRow[], number];
      const row = rows[0][0];
      if (!row) throw await this.notHolder(m, taskId);
      const task = fromRow(row);
      if (task.seniorOnly && principal.staffRole !== 'senior_reviewer') throw new DomainError('forbidden', 'This case needs a senior reviewer');
      await m.getRepository(ReviewDecision).insert({
        taskId: task.id,
        organisationId: task.organisationId,
        reviewerId: principal.userId,
        stage: task.stage,
        decision: dto.decision,
        reasonCodes: dto.reasonCodes,
        note: dto.note,
        requestedItems: dto.requestedItems?.map((i) => ({ requirement: i.requirement, message: i.message })) ?? [],
        claimVersion: task.claimVersion,
      });
      if (task.type === 'app') {
        const productionStatus = await this.appReviews.decide(m, task, principal, dto, requestId);
        const updated = (await m.getRepository(ReviewTask).findOneByOrFail({ id: task.id }))!;
        return { task: taskView(updated), verificationStatus: productionStatus };
      }
      const org = await m.getRepository(Organisation).findOne({ where: { id: task.organisationId }, lock: { mode: 'pessimistic_write' } });
      if (!org) throw new NotFoundError('Organisation');
      if (task.stage === 'second' && dto.decision === 'approve' && principal.staffRole !== 'senior_reviewer') {
        throw new DomainError('forbidden', 'A second approval needs a senior reviewer');
      }

      const actor = actorOf(principal);
      const reasons = dto.reasonCodes.map((code) => ({ code, text: REASON_CODES[code] }));
      const owners = (await m.query(`SELECT u.email FROM organisation_members om JOIN users u ON u.id = om.user_id WHERE om.organisation_id = $1 AND om.role IN ('owner', 'admin') ORDER BY u.email`, [org.id])) as { email: string }[];
      const details = { taskId: task.id, stage: task.stage, reasonCodes: dto.reasonCodes, note: dto.note };

      if (org.verificationStatus === 'suspended') {
        // A case opened by sanctions re-screening: approving clears the hit and reinstates.
        if (dto.decision === 'request_info') throw new DomainError('invalid_state', 'A suspended organisation is reinstated (approve) or stays suspended (reject)');
        // Reinstating is a senior reviewer's call, as with manual suspensions.
        if (dto.decision === 'approve' && principal.staffRole !== 'senior_reviewer') throw new DomainError('forbidden', 'Reinstating a suspended organisation needs a senior reviewer');
        org.decidedAt = new Date();
        org.verificationReasons = reasons;
        if (dto.decision === 'approve') {
          await this.verification.transition(m, org, 'reinstate', actor, requestId, details);
          for (const o of owners) await this.outbox.enqueue(m, o.email, 'organisation-reinstated', { organisationName: org.legalName, organisationId: org.id });
        } else {
          await m.getRepository(Organisation).save(org);
          await this.audit.append(m, { actor, action: 'verification.suspension_upheld', subject: { type: 'organisation', id: org.id }, after: details, requestId });
        }
      } else if (dto.decision === 'approve') {
        if (task.stage === 'first' && org.riskLevel === 'high') {
          await this.verification.transition(m, org, 'approve_high_risk', actor, requestId, details);
          await this.createKybTask(m, org, 'second', principal.userId);
        } else {
          org.approvedAt = new Date();
          org.decidedAt = org.approvedAt;
          org.verificationReasons = reasons;
          await this.verification.transition(m, org, task.stage === 'second' ? 'second_approve' : 'approve', actor, requestId, details);
          for (const o of owners) await this.outbox.enqueue(m, o.email, 'organisation-approved', { organisationName: org.legalName, organisationId: org.id });
        }
      } else if (dto.decision === 'reject') {
        org.decidedAt = new Date();
        org.verificationReasons = reasons;
        await this.verification.transition(m, org, 'reject', actor, requestId, details);
        for (const o of owners) await this.outbox.enqueue(m, o.email, 'organisation-rejected', { organisationName: org.legalName, organisationId: org.id, reasons: reasons.map((r) => r.text), note: dto.note });
      } else {
        const deadline = new Date(Date.now() + REQUEST_INFO_DEADLINE_DAYS * 24 * 3600_000).toISOString();
        const items = dto.requestedItems!.map((i) => ({ requirement: i.requirement, message: i.message, deadline, resolvedAt: null }));
        org.requestedItems = [...org.requestedItems, ...items];
        org.verificationReasons = reasons;
        await this.verification.transition(m, org, 'request_info', actor, requestId, { ...details, requestedItems: items });
        for (const o of owners) {
          await this.outbox.enqueue(m, o.email, 'information-requested', { organisationName: org.legalName, organisationId: org.id, items: items.map((i) => ({ requirement: i.requirement, message: i.message })), deadline });
        }
      }
      const updated = (await m.getRepository(ReviewTask).findOneByOrFail({ id: task.id }))!;
      return { task: taskView(updated), verificationStatus: org.verificationStatus };
    });
  }

  async list(query: { status?: string; type?: string; limit: number; cursor?: string }): Promise<Page<TaskView>> {
    const after = decodeCursor(query.cursor, CURSOR_KINDS.reviewTasks);
    const qb = this.dataSource.getRepository(ReviewTask).createQueryBuilder('t').orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').limit(query.limit + 1);
    if (query.status) qb.andWhere('t.status = :status', { status: query.status });
    if (query.type) qb.andWhere('t.type = :type', { type: query.type });
    if (after) qb.andWhere('(t.created_at, t.id) < (:at::timestamptz, :id::uuid)', { at: after.at, id: after.id });
    return toPage((await qb.getMany()).map(taskView), query.limit, CURSOR_KINDS.reviewTasks, (t) => ({ at: t.createdAt, id: t.id }));
  }

  /** The whole case a reviewer needs: organisation, people, documents with every check result, history, earlier decisions. */
  async caseView(taskId: string) {
    const task = await this.dataSource.getRepository(ReviewTask).findOneBy({ id: taskId });
    if (!task) throw new NotFoundError('Review task');
    if (task.type === 'app') return { task: taskView(task), ...(await this.appReviews.caseView(task)) };
    const org = await this.dataSource.getRepository(Organisation).findOneByOrFail({ id: task.organisationId });
    const [people, documents, checks, decisions, history] = await Promise.all([
      this.dataSource.getRepository(Person).find({ where: { organisationId: org.id }, order: { createdAt: 'ASC' } }),
      this.dataSource.getRepository(KybDocument).find({ where: { organisationId: org.id }, order: { createdAt: 'ASC' } }),
      this.dataSource.getRepository(CheckRecord).find({ where: { organisationId: org.id, submission: org.submissionCount }, order: { name: 'ASC' } }),
      this.dataSource.getRepository(ReviewDecision).find({ where: { organisationId: org.id }, order: { createdAt: 'ASC' } }),
      // In time order: a queued event (a case's review_started, queued with its claim) can be
      // linked into the chain after a synchronous entry that came later (a quick release).
      this.dataSource.query(`SELECT id, actor_type, actor_id, action, before, after, created_at FROM audit_entries WHERE subject_type = 'organisation' AND subject_id = $1 ORDER BY created_at, id`, [org.id]) as Promise<Record<string, unknown>[]>,
    ]);
    const checksOf = (subjectId: string) => checks.filter((c) => c.subjectId === subjectId).map(staffCheckView);
    return {
      task: taskView(task),
      organisation: {
        id: org.id,
        legalName: org.legalName,
        tradingName: org.tradingName,
        registrationNumber: org.registrationNumber,
        country: org.country,
        registeredAddress: org.registeredAddress,
        website: org.website,
        regulatoryStatus: org.regulatoryStatus,
        verification: { status: org.verificationStatus, riskLevel: org.riskLevel, submittedAt: org.submittedAt?.toISOString() ?? null, requestedItems: org.requestedItems },
        checks: checksOf(org.id),
      },
      people: people.map(personView),
      documents: documents.map((d) => ({ ...documentView(d), checks: checksOf(d.id) })),
      decisions: decisions.map((d) => ({ id: d.id, stage: d.stage, decision: d.decision, reasonCodes: d.reasonCodes, note: d.note, reviewerId: d.reviewerId, requestedItems: d.requestedItems, createdAt: d.createdAt.toISOString() })),
      history: history.map((h) => ({ id: String(h.id), actorType: h.actor_type, actorId: h.actor_id, action: h.action, before: h.before, after: h.after, at: (h.created_at as Date).toISOString() })),
    };
  }

  /** Suspension and reinstatement by a senior reviewer: production access follows the status at once. */
  async setSuspended(orgId: string, suspend: boolean, reason: string, principal: Principal, requestId?: string): Promise<{ status: string }> {
    return this.dataSource.transaction(async (m) => {
      const org = await m.getRepository(Organisation).findOne({ where: { id: orgId }, lock: { mode: 'pessimistic_write' } });
      if (!org) throw new NotFoundError('Organisation');
      await this.verification.transition(m, org, suspend ? 'suspend' : 'reinstate', actorOf(principal), requestId, { reason });
      const owners = (await m.query(`SELECT u.email FROM organisation_members om JOIN users u ON u.id = om.user_id WHERE om.organisation_id = $1 AND om.role = 'owner' ORDER BY u.email`, [org.id])) as { email: string }[];
      for (const o of owners) {
        if (suspend) await this.outbox.enqueue(m, o.email, 'organisation-suspended', { organisationName: org.legalName, organisationId: org.id, reason });
        else await this.outbox.enqueue(m, o.email, 'organisation-reinstated', { organisationName: org.legalName, organisationId: org.id });
      }
      return { status: org.verificationStatus };
    });
  }

  private async notHolder(m: EntityManager, taskId: string): Promise<DomainError> {
    const task = await m.getRepository(ReviewTask).findOneBy({ id: taskId });
    if (!task) return new NotFoundError('Review task');
    return new DomainError('conflict', 'You do not hold a current lease on this task (it was released, decided, or your lease expired and it was claimed again); claim a task first');
  }
}
