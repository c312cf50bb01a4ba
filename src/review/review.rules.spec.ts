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
