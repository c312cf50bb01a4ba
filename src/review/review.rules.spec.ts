import { VERIFICATION_TRANSITIONS } from '../kyc/verification/verification.transitions';
import { addWorkingDays } from './review.rules';

describe('SLA working days', () => {
  it('skips weekends', () => {
    // Thursday 10:00 + 2 working days = Monday 10:00.
    expect(addWorkingDays(new Date('2026-11-26T10:00:00Z'), 2).toISOString()).toBe('2026-11-30T10:00:00.000Z');
    // Friday + 2 = Tuesday; Saturday + 2 = Tuesday; Monday + 2 = Wednesday.
    expect(addWorkingDays(new Date('2026-11-27T10:00:00Z'), 2).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(addWorkingDays(new Date('2026-11-28T10:00:00Z'), 2).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(addWorkingDays(new Date('2026-11-30T10:00:00Z'), 2).toISOString()).toBe('2026-12-02T10:00:00.000Z');
  });
});

describe('the claim statement and the verification state machine', () => {
  it('starts a review exactly as review_started allows: pending_review → in_review', () => {
    // ReviewTasksService.pick() makes this transition set-wise, with these two statuses written
    // into its UPDATE; a change to the table must change the statement too.
    expect(VERIFICATION_TRANSITIONS.review_started).toEqual({ from: ['pending_review'], to: 'in_review' });
  });
});
