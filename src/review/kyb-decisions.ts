import { DomainError } from '../common/errors/domain-error';
import { VerificationEvent } from '../kyc/verification/verification.transitions';
import { Decision } from './review-task.entity';

/**
 * What a reviewer's decision on a KYB task does, as data plus one pure function: `kybOutcome`
 * picks the outcome from the case's situation, `KYB_OUTCOMES` says what each outcome changes.
 * `KybDecisionsService` applies it. The status changes themselves are the verification table's
 * (verification.transitions.ts), which still refuses a decision from a wrong state.
 *
 * SPEC "Review": approve | reject | request_info; a high-risk approval needs a second, different
 * senior reviewer; suspension and reinstatement are a senior reviewer's call.
 */
export type KybOutcomeName =
  'approve' | 'approve_high_risk' | 'second_approve' | 'reject' | 'request_info' | 'reinstate' | 'uphold_suspension';

/** The email the organisation's owners and admins get (templates in src/notifications). */
export type KybEmail =
  'organisation-approved' | 'organisation-rejected' | 'information-requested' | 'organisation-reinstated';

/** Organisation fields a decision stamps: `decidedAt`/`approvedAt` now, `reasons` the reviewer's reason codes. */
export type KybStamp = 'decidedAt' | 'approvedAt' | 'reasons';

export interface KybOutcome {
  /** The verification event fired; null when the status stays and `auditAction` is recorded instead. */
  readonly event: VerificationEvent | null;
  readonly auditAction?: string;
  readonly stamps: readonly KybStamp[];
  readonly email: KybEmail | null;
  /** The reviewer's requested items become the organisation's (deadline REQUEST_INFO_DEADLINE_DAYS). */
  readonly requestsItems?: true;
  /** A second-stage task is opened, which the first approver may not take. */
  readonly opensSecondStage?: true;
}

/** Every outcome, one row each. Who decides is in the comment. */
export const KYB_OUTCOMES = {
  /** reviewer, first stage, low/medium risk */
  approve: { event: 'approve', stamps: ['approvedAt', 'decidedAt', 'reasons'], email: 'organisation-approved' },
  /** reviewer, first stage, high risk: nothing is stamped or sent until the second approval */
  approve_high_risk: { event: 'approve_high_risk', stamps: [], email: null, opensSecondStage: true },
  /** senior_reviewer, second stage */
  second_approve: {
    event: 'second_approve',
    stamps: ['approvedAt', 'decidedAt', 'reasons'],
    email: 'organisation-approved',
  },
  /** reviewer (senior_reviewer at the second stage) */
  reject: { event: 'reject', stamps: ['decidedAt', 'reasons'], email: 'organisation-rejected' },
  /** reviewer (senior_reviewer at the second stage) */
  request_info: { event: 'request_info', stamps: ['reasons'], email: 'information-requested', requestsItems: true },
  /** senior_reviewer, on a suspended case reopened by sanctions re-screening: the hit is cleared */
  reinstate: { event: 'reinstate', stamps: ['decidedAt', 'reasons'], email: 'organisation-reinstated' },
  /** reviewer, on a suspended case reopened by re-screening: it stays suspended, no email */
  uphold_suspension: {
    event: null,
    auditAction: 'verification.suspension_upheld',
    stamps: ['decidedAt', 'reasons'],
    email: null,
  },
} as const satisfies Record<KybOutcomeName, KybOutcome>;

/** The case as a decision sees it. `status` is the organisation's verification status. */
export interface KybCase {
  status: string;
  stage: 'first' | 'second';
  riskLevel: string | null;
  /** The deciding reviewer is a senior_reviewer. */
  senior: boolean;
}

/**
 * Which outcome `decision` has on the case, or a DomainError: 403 `forbidden` for a second
 * approval or a reinstatement by a plain reviewer, 409 `invalid_state` for request_info on a
 * suspended case (it is reinstated or stays suspended).
 */
export function kybOutcome(c: KybCase, decision: Decision): KybOutcomeName {
  const refusal = refusalOf(c, decision);
  if (refusal) throw refusal;
  if (c.status === 'suspended') return decision === 'approve' ? 'reinstate' : 'uphold_suspension';
  if (decision !== 'approve') return decision;
  if (c.stage === 'second') return 'second_approve';
  return c.riskLevel === 'high' ? 'approve_high_risk' : 'approve';
}

function refusalOf(c: KybCase, decision: Decision): DomainError | undefined {
  if (c.stage === 'second' && decision === 'approve' && !c.senior) {
    return new DomainError('forbidden', 'A second approval needs a senior reviewer');
  }
  if (c.status !== 'suspended') return undefined;
  if (decision === 'request_info') {
    return new DomainError(
      'invalid_state',
      'A suspended organisation is reinstated (approve) or stays suspended (reject)',
    );
  }
  // Reinstating is a senior reviewer's call, as with manual suspensions.
  if (decision === 'approve' && !c.senior)
    return new DomainError('forbidden', 'Reinstating a suspended organisation needs a senior reviewer');
  return undefined;
}
