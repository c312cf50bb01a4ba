import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { RESCREEN_ACTOR } from '../kyc/checks/checks.service';
import { Organisation } from '../organisations/organisation.entity';
import { OrganisationRecordsService } from '../organisations/organisation-records.service';
import { ReviewTasksService } from './review-tasks.service';

/** Verification statuses in which a case waits for a first-stage kyb task. */
const WAITING_FOR_REVIEW = ['pending_review', 'suspended'];

/** Opens kyb review tasks for the cases kyc announces (JobName.ReviewKybCase) and those whose announcement was lost. */
@Injectable()
export class KybCasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly tasks: ReviewTasksService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Opens the first-stage kyb task of `organisationId` if the case still waits for a reviewer (its
   * submission is `submission`, its status pending_review or suspended) and has none yet: no kyb
   * task of it is open, and for a suspended case none was created since the suspension (a reviewer
   * who rejected it, upholding the suspension, closed that task; the case must not come back).
   * Safe to repeat: a redelivered or late job, or the repair, finds the task and does nothing.
   * Returns the new task's id.
   */
  async open(organisationId: string, submission: number): Promise<string | undefined> {
    return this.dataSource.transaction(async (m) => {
      // The row lock serialises two deliveries of the same announcement, and the repair.
      const org = await this.organisations.lockForUpdate(m, organisationId);
      if (!org || org.submissionCount !== submission || !WAITING_FOR_REVIEW.includes(org.verificationStatus))
        return undefined;
      if ((await this.alreadyReviewed(m, [org])).has(org.id)) return undefined;
      return this.tasks.createKybTask(m, org, 'first');
    });
  }

  /**
   * The repair of lost announcements, run every minute with the reviewer notifications: a
   * `review.kyb-case` job that failed for good (PostgreSQL down through all its attempts) or a
   * job_outbox row parked by the relay leaves a case waiting with no task. Opens the task of every
   * pending_review case without one, and of every case suspended by sanctions re-screening without
   * one since the suspension; a suspension by staff announces no review and is left alone.
   * Returns the ids of the organisations whose task it opened.
   */
  async openMissing(): Promise<string[]> {
    const waiting = [
      ...(await this.organisations.withVerificationStatus('pending_review')),
      ...(await this.organisations.withVerificationStatus('suspended')),
    ];
    const reviewed = await this.alreadyReviewed(this.dataSource.manager, waiting);
    const opened: string[] = [];
    for (const org of waiting) {
      if (reviewed.has(org.id)) continue;
      if (org.verificationStatus === 'suspended' && !(await this.suspendedByRescreening(org.id))) continue;
      // open() checks again under the row lock: the case may have moved on since it was listed.
      if (await this.open(org.id, org.submissionCount)) opened.push(org.id);
    }
    return opened;
  }

  /**
   * Which of `orgs` need no new task: one kyb task of theirs is open, or (suspended) one was
   * created after `suspended_at`. Both times are the database's, so no two clocks are compared.
   */
  private async alreadyReviewed(m: EntityManager, orgs: Organisation[]): Promise<Set<string>> {
    if (orgs.length === 0) return new Set();
    const since = orgs.map((o) =>
      o.verificationStatus === 'suspended' ? (o.suspendedAt ?? new Date(0)).toISOString() : null,
    );
    const rows = (await m.query(
      `SELECT DISTINCT c.id FROM unnest($1::uuid[], $2::timestamptz[]) AS c(id, since)
         JOIN review_tasks t ON t.type = 'kyb' AND t.subject_id = c.id
        WHERE t.status IN ('pending', 'claimed') OR (c.since IS NOT NULL AND t.created_at > c.since)`,
      [orgs.map((o) => o.id), since],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /** Whether the latest suspension of `orgId` was re-screening's (the audit log names the actor). */
  private async suspendedByRescreening(orgId: string): Promise<boolean> {
    const history = await this.audit.history({ type: 'organisation', id: orgId }, 'chain');
    const last = history.filter((e) => e.action === 'verification.suspend').pop();
    return last?.actorType === RESCREEN_ACTOR.type && last.actorId === RESCREEN_ACTOR.id;
  }
}
