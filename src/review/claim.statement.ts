import {
  VERIFICATION_TRANSITIONS,
  VerificationEvent,
  VerificationStatus,
} from '../kyc/verification/verification.transitions';

/** The verification transition a first claim of a KYB case performs, as its table entry gives it. */
export interface ClaimTransition {
  readonly from: readonly VerificationStatus[];
  readonly to: VerificationStatus;
}

/** A status or event name as an SQL literal: they are lower-case words; anything else is a programming error. */
function literal(word: string): string {
  if (!/^[a-z_]+$/.test(word)) throw new Error(`claim statement: ${JSON.stringify(word)} is not a status or event`);
  return `'${word}'`;
}

/**
 * The claim statement, with the KYB transition it performs taken from `rule` (by default the
 * verification table's entry for `event`): one statement that picks the best pending task for the
 * reviewer, leases it, moves a case in the rule's from-state to its target (a KYB task's first
 * claim), and queues the audit events. See `ReviewTasksService.claim()` for the parameters and
 * why it is shaped this way. It is the one place outside their areas that writes `organisations` and
 * reads `organisation_members`/`users`: a benchmarked shortcut (docs/decisions.md "Table ownership").
 *
 * Refused at module load (throws) for a rule the set-wise UPDATE cannot honour:
 * - more than one from-state (the audit event's `before` names the one from-state);
 * - a move into or out of `approved`: those must go through `VerificationService.transition`,
 *   which tells the standing listener; this statement does not.
 */
export function claimStatement(
  event: VerificationEvent,
  rule: ClaimTransition = VERIFICATION_TRANSITIONS[event],
): string {
  if (rule.from.length !== 1) throw new Error(`claim statement: ${event} must have exactly one from-state`);
  if (rule.from[0] === 'approved' || rule.to === 'approved') {
    throw new Error(`claim statement: ${event} changes a standing`);
  }
  const from = literal(rule.from[0]!);
  const to = literal(rule.to);
  const action = `'verification.' || ${literal(event)}`;
  return `WITH own AS MATERIALIZED (
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
            SET status = 'claimed', claimed_by = $1, claim_version = claim_version + 1,
                lease_expires_at = now() + make_interval(secs => $4), updated_at = now()
          WHERE id = (SELECT id FROM candidate)
          RETURNING *),
       started AS (
         UPDATE organisations o SET verification_status = ${to}, updated_at = now()
           FROM picked
          WHERE o.id = picked.organisation_id AND picked.type = 'kyb' AND picked.stage = 'first'
            AND o.verification_status = ${from}
          RETURNING o.id, picked.id AS task_id),
       audited AS (
         INSERT INTO audit_queue (actor_type, actor_id, action, subject_type, subject_id, before, after, request_id, created_at)
         SELECT 'staff', $1::text, 'review.task_claimed', 'review_task', picked.id::text, NULL,
                jsonb_build_object('claimVersion', picked.claim_version, 'organisationId', picked.organisation_id), $5, now()
           FROM picked
         UNION ALL
         SELECT 'staff', $1::text, ${action}, 'organisation', started.id::text, jsonb_build_object('status', ${from}),
                jsonb_build_object('status', ${to}, 'taskId', started.task_id), $5, now()
           FROM started)
       SELECT * FROM picked`;
}

/**
 * The claim (see `ReviewTasksService.claim()`), built once at module load from the verification
 * table's `review_started` entry (pending_review → in_review). Parameters: reviewer id, senior?,
 * reviewer email, lease seconds, request id, inTransaction. Exported for bench/claims.ts, which
 * measures it bare.
 */
export const CLAIM_STATEMENT = claimStatement('review_started');

/** Returns tasks whose lease ran out to the queue (`ReviewTasksService.releaseExpiredLeases`). */
export const SWEEP_EXPIRED_LEASES_STATEMENT = `UPDATE review_tasks
    SET status = 'pending', claimed_by = NULL, lease_expires_at = NULL, updated_at = now()
  WHERE id IN (SELECT id FROM review_tasks WHERE status = 'claimed' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED)`;
