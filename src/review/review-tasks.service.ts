import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Principal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { CURSOR_KINDS, Page, keysetPage } from '../common/pagination/pagination';
import { VerificationService } from '../kyc/verification/verification.service';
import { Organisation } from '../organisations/organisation.entity';
import { OrganisationRecordsService } from '../organisations/organisation-records.service';
import { CLAIM_STATEMENT, SWEEP_EXPIRED_LEASES_STATEMENT } from './claim.statement';
import { ReviewTask } from './review-task.entity';
import { LEASE_MS, RISK_RANK, SLA_WORKING_DAYS, STAGE_RANK, addWorkingDays } from './review.rules';
import { TaskRow, TaskView, fromRow, staffActor, taskView } from './task-view';

/**
 * The review queue's mechanics: opening tasks, claims, leases, release, the expired-lease sweep,
 * listing, and closing a task for a decision. Claims are one UPDATE around a `FOR UPDATE SKIP
 * LOCKED` pick, so concurrent reviewers never get the same task; a task is closed only by the
 * current lease holder, checked in the statement that closes it. What a decision does is
 * `ReviewDecisionsService`'s job.
 */
@Injectable()
export class ReviewTasksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly verification: VerificationService,
    private readonly organisations: OrganisationRecordsService,
    private readonly audit: AuditService,
  ) {}

  /** The pg Pool under TypeORM's DataSource: the same connections, settings and type parsers. */
  private get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  /**
   * Opens a KYB task; called in the transaction that moved a case to pending_review (stage `first`)
   * or awaiting_second_approval (stage `second`, naming the first approver, who may not take it).
   * Due in SLA_WORKING_DAYS working days. Returns the task id.
   */
  async createKybTask(
    m: EntityManager,
    org: Organisation,
    stage: 'first' | 'second',
    firstApproverId: string | null = null,
  ): Promise<string> {
    const risk = org.riskLevel ?? 'medium';
    const rows = (await m.query(
      `INSERT INTO review_tasks (type, subject_id, organisation_id, stage, risk_level, stage_rank, risk_rank, due_at, first_approver_id)
       VALUES ('kyb', $1, $1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        org.id,
        stage,
        risk,
        STAGE_RANK[stage],
        RISK_RANK[risk] ?? 1,
        addWorkingDays(new Date(), SLA_WORKING_DAYS),
        firstApproverId,
      ],
    )) as { id: string }[];
    return rows[0]!.id;
  }

  /** Opens the review of an app's production-access request; high-tier scopes only a senior reviewer may claim. */
  async createAppTask(
    m: EntityManager,
    params: { appId: string; organisationId: string; riskLevel: 'low' | 'medium' | 'high'; seniorOnly: boolean },
  ): Promise<string> {
    const rows = (await m.query(
      `INSERT INTO review_tasks (type, subject_id, organisation_id, stage, risk_level, stage_rank, risk_rank, due_at, senior_only)
       VALUES ('app', $1, $2, 'first', $3, $4, $5, $6, $7) RETURNING id`,
      [
        params.appId,
        params.organisationId,
        params.riskLevel,
        STAGE_RANK.first,
        RISK_RANK[params.riskLevel] ?? 1,
        addWorkingDays(new Date(), SLA_WORKING_DAYS),
        params.seniorOnly,
      ],
    )) as { id: string }[];
    return rows[0]!.id;
  }

  /**
   * Claims the best task for this reviewer: one statement in autocommit (see `pick()`), which also
   * starts the case's review when this is its first claim. A transaction is opened only when
   * nothing is pending: expired leases are returned to the queue first, then the pick runs again.
   */
  async claim(principal: Principal, requestId?: string): Promise<TaskView | undefined> {
    const params = [
      principal.userId,
      principal.staffRole === 'senior_reviewer',
      principal.email,
      LEASE_MS / 1000,
      requestId ?? null,
    ];
    // The hot path goes to the driver's pool as a named (prepared) statement: each connection
    // parses it once and can keep its plan, where an unnamed statement was parsed and planned on
    // every claim (about as long as executing it).
    const named = (text: string, values: unknown[]) =>
      this.pool.query({ name: 'review-tasks-claim', text, values }).then((r) => r.rows as unknown[]);
    const fast = await this.pick(named, [...params, false]);
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
   * One statement (CLAIM_STATEMENT, claim.statement.ts): pick the best pending task (FOR UPDATE
   * SKIP LOCKED, nothing joined inside the locked select), lease it, start the case's review if
   * this is its first claim, and queue the audit events.
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
   *   'review_started', …)` done set-wise, its from-state and target written into the statement
   *   from `VERIFICATION_TRANSITIONS.review_started` when the module loads (pending_review →
   *   in_review), the from-state guarding the UPDATE's WHERE, so of two claims of one case exactly
   *   one moves it (the other waits for the row, re-reads it as in_review and leaves it), and a case
   *   in any other state (second stage, a suspended case reopened by re-screening) is leased
   *   without a transition. No standing listener is involved: those fire only on transitions into
   *   or out of `approved`, which `claimStatement` refuses. Its audit event is queued with the
   *   claim's, in the shape `AuditService.append` records, and chained by the worker
   *   (`AuditService.chainQueued`).
   * - Out of a transaction (`inTransaction` false) the claim commits without waiting for its WAL
   *   flush (`synchronous_commit` off for this statement's own transaction only, reset when it
   *   ends): see docs/decisions.md, "Review claims commit asynchronously". In a transaction the
   *   setting is left alone.
   * Undefined: nothing is pending for this reviewer.
   */
  private async pick(
    run: (text: string, values: unknown[]) => Promise<unknown[]>,
    params: unknown[],
  ): Promise<TaskRow | undefined> {
    const rows = (await run(CLAIM_STATEMENT, params)) as TaskRow[];
    return rows[0];
  }

  /** Puts tasks whose lease ran out back in the queue (their claim version stays, so old holders cannot decide). */
  async releaseExpiredLeases(m: EntityManager = this.dataSource.manager): Promise<number> {
    const [, count] = (await m.query(SWEEP_EXPIRED_LEASES_STATEMENT)) as [unknown, number];
    return count;
  }

  /**
   * The lease holder hands the task back: it is pending again, and a KYB case whose review it
   * started goes back to pending_review (`review_released`). 409 unless the caller holds the
   * current, unexpired lease.
   */
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
        const org = await this.organisations.lockForUpdate(m, row.organisation_id);
        if (org?.verificationStatus === 'in_review') {
          await this.verification.transition(m, org, 'review_released', staffActor(principal), requestId, { taskId });
        }
      }
      const subject = { type: 'review_task', id: taskId };
      await this.audit.appendSoon(m, {
        actor: staffActor(principal),
        action: 'review.task_released',
        subject,
        requestId,
      });
    });
  }

  /**
   * Closes a task for a decision, in the caller's transaction: only if the caller holds its
   * current, unexpired lease (compare-and-set on the claim version they were given, when they
   * give one). 404 for an unknown task, 409 otherwise.
   */
  async closeForDecision(
    m: EntityManager,
    taskId: string,
    principal: Principal,
    claimVersion?: number,
  ): Promise<ReviewTask> {
    const rows = (await m.query(
      `UPDATE review_tasks t SET status = 'done', decided_at = now(), updated_at = now()
        WHERE t.id = $1 AND t.status = 'claimed' AND t.claimed_by = $2 AND t.lease_expires_at > now()
          AND ($3::integer IS NULL OR t.claim_version = $3)
        RETURNING *`,
      [taskId, principal.userId, claimVersion ?? null],
    )) as [TaskRow[], number];
    const row = rows[0][0];
    if (!row) throw await this.notHolder(m, taskId);
    return fromRow(row);
  }

  /** Tasks by status and type, newest first, a page at a time. */
  async list(query: { status?: string; type?: string; limit: number; cursor?: string }): Promise<Page<TaskView>> {
    const qb = this.dataSource.getRepository(ReviewTask).createQueryBuilder('t');
    if (query.status) qb.andWhere('t.status = :status', { status: query.status });
    if (query.type) qb.andWhere('t.type = :type', { type: query.type });
    const page = await keysetPage(qb, CURSOR_KINDS.reviewTasks, query);
    return { data: page.data.map(taskView), nextCursor: page.nextCursor };
  }

  private async notHolder(m: EntityManager, taskId: string): Promise<DomainError> {
    const task = await m.getRepository(ReviewTask).findOneBy({ id: taskId });
    if (!task) return new NotFoundError('Review task');
    return new DomainError(
      'conflict',
      'You do not hold a current lease on this task (it was released, decided, or your lease expired and it was claimed ' +
        'again); claim a task first',
    );
  }
}
