import { DomainError } from '../common/errors/domain-error';
import { VERIFICATION_TRANSITIONS } from '../kyc/verification/verification.transitions';
import { KYB_OUTCOMES, KybCase, KybOutcomeName, kybOutcome } from './kyb-decisions';
import { Decision } from './review-task.entity';

const inReview: KybCase = { status: 'in_review', stage: 'first', riskLevel: 'low', senior: false };
const secondStage: KybCase = { status: 'awaiting_second_approval', stage: 'second', riskLevel: 'high', senior: true };
const suspended: KybCase = { status: 'suspended', stage: 'first', riskLevel: 'medium', senior: true };

describe('kybOutcome', () => {
  it.each<[string, KybCase, Decision, KybOutcomeName]>([
    ['a low-risk first approval', inReview, 'approve', 'approve'],
    ['a medium-risk first approval', { ...inReview, riskLevel: 'medium' }, 'approve', 'approve'],
    ['a case with no risk level yet', { ...inReview, riskLevel: null }, 'approve', 'approve'],
    ['a high-risk first approval', { ...inReview, riskLevel: 'high' }, 'approve', 'approve_high_risk'],
    [
      'a high-risk first approval by a senior',
      { ...inReview, riskLevel: 'high', senior: true },
      'approve',
      'approve_high_risk',
    ],
    ['a second approval', secondStage, 'approve', 'second_approve'],
    ['a rejection', inReview, 'reject', 'reject'],
    ['a rejection at the second stage by a plain reviewer', { ...secondStage, senior: false }, 'reject', 'reject'],
    ['a request for information', inReview, 'request_info', 'request_info'],
    ['a request at the second stage', secondStage, 'request_info', 'request_info'],
    ['approving a suspended case (senior)', suspended, 'approve', 'reinstate'],
    ['rejecting a suspended case', suspended, 'reject', 'uphold_suspension'],
    ['rejecting a suspended case (plain reviewer)', { ...suspended, senior: false }, 'reject', 'uphold_suspension'],
  ])('%s', (_name, c, decision, outcome) => {
    expect(kybOutcome(c, decision)).toBe(outcome);
  });

  it.each<[string, KybCase, Decision, string]>([
    ['a second approval by a plain reviewer', { ...secondStage, senior: false }, 'approve', 'forbidden'],
    ['a reinstatement by a plain reviewer', { ...suspended, senior: false }, 'approve', 'forbidden'],
    ['a request for information on a suspended case', suspended, 'request_info', 'invalid_state'],
  ])('refuses %s', (_name, c, decision, code) => {
    const attempt = () => kybOutcome(c, decision);
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(expect.objectContaining({ code }));
  });
});

describe('KYB_OUTCOMES', () => {
  it('fires only events of the verification table, each from a state a reviewer decides in', () => {
    for (const [name, outcome] of Object.entries(KYB_OUTCOMES)) {
      if (outcome.event === null) continue;
      const from: readonly string[] = VERIFICATION_TRANSITIONS[outcome.event].from;
      expect([name, from.some((s) => ['in_review', 'awaiting_second_approval', 'suspended'].includes(s))]).toEqual([
        name,
        true,
      ]);
    }
  });

  it('stamps an approval time exactly when the organisation ends up approved', () => {
    for (const [name, outcome] of Object.entries(KYB_OUTCOMES)) {
      const approves =
        outcome.event !== null &&
        VERIFICATION_TRANSITIONS[outcome.event].to === 'approved' &&
        outcome.event !== 'reinstate';
      expect([name, (outcome.stamps as readonly string[]).includes('approvedAt')]).toEqual([name, approves]);
    }
  });
});
