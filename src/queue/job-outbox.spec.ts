import { OUTBOX_MAX_ATTEMPTS, outboxRetryDelaySeconds } from './job-outbox';

describe('job outbox back-off', () => {
  it('doubles from 1 s and stops growing at 10 minutes', () => {
    expect([1, 2, 3, 4, 10, 11, 20].map(outboxRetryDelaySeconds)).toEqual([1, 2, 4, 8, 512, 600, 600]);
  });

  it('parks a row after about an hour of attempts, not on the first few failures', () => {
    const waited = Array.from({ length: OUTBOX_MAX_ATTEMPTS - 1 }, (_, i) => outboxRetryDelaySeconds(i + 1)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(OUTBOX_MAX_ATTEMPTS).toBeGreaterThanOrEqual(5);
    expect(waited).toBe(3423);
  });
});
