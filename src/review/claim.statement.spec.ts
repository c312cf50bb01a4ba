import { VERIFICATION_TRANSITIONS } from '../kyc/verification/verification.transitions';
import { CLAIM_STATEMENT, claimStatement } from './claim.statement';

// What the statement does against PostgreSQL is shown in test/review.e2e-spec.ts ("the claim
// statement"); these are the rules refused before any SQL runs.
describe('claimStatement', () => {
  it('is what the service runs, built from the review_started entry of the verification table', () => {
    expect(CLAIM_STATEMENT).toBe(claimStatement('review_started', VERIFICATION_TRANSITIONS.review_started));
  });

  it.each([
    [
      'two from-states',
      { from: ['pending_review', 'submitted'] as const, to: 'in_review' as const },
      /exactly one from-state/,
    ],
    ['no from-state', { from: [] as const, to: 'in_review' as const }, /exactly one from-state/],
    ['a move into approved', { from: ['in_review'] as const, to: 'approved' as const }, /changes a standing/],
    ['a move out of approved', { from: ['approved'] as const, to: 'suspended' as const }, /changes a standing/],
    [
      'a status that is not a word',
      { from: ["pending_review' OR true --"] as never, to: 'in_review' as const },
      /not a status/,
    ],
  ])('refuses %s', (_name, rule, message) => {
    expect(() => claimStatement('review_started', rule)).toThrow(message);
  });
});
