import { Principal } from '../auth/principal';
import { Actor } from '../audit/actor';
import { ReviewStage, ReviewTask, ReviewTaskStatus, ReviewTaskType } from './review-task.entity';

/** A review task as the API shows it: timestamps as ISO 8601 strings. */
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

export const taskView = (t: ReviewTask): TaskView => ({
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

/** A `review_tasks` row as raw SQL (`RETURNING *`) gives it. */
export interface TaskRow {
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

export const fromRow = (r: TaskRow): ReviewTask =>
  Object.assign(new ReviewTask(), {
    id: r.id,
    type: r.type as ReviewTaskType,
    subjectId: r.subject_id,
    organisationId: r.organisation_id,
    stage: r.stage as ReviewStage,
    status: r.status as ReviewTaskStatus,
    riskLevel: r.risk_level,
    dueAt: r.due_at,
    claimedBy: r.claimed_by,
    claimVersion: r.claim_version,
    leaseExpiresAt: r.lease_expires_at,
    firstApproverId: r.first_approver_id,
    seniorOnly: r.senior_only,
    createdAt: r.created_at,
  });

/** The audit actor of a reviewer's action. */
export const staffActor = (p: Principal): Actor => ({ type: 'staff', id: p.userId });
