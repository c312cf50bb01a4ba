import { WEBHOOK_MAX_ATTEMPTS, isRetryableStatus, nextDelayMs, scheduleSummary } from './webhook-retry';

const HOUR = 60 * 60 * 1000;

describe('webhook retry schedule', () => {
  it('has at least 10 attempts and spans between 23 and 24 hours, whatever the jitter', () => {
    const summary = scheduleSummary();
    expect(WEBHOOK_MAX_ATTEMPTS).toBeGreaterThanOrEqual(10);
    expect(summary.maxAttempts).toBe(WEBHOOK_MAX_ATTEMPTS);
    expect(summary.steps).toHaveLength(WEBHOOK_MAX_ATTEMPTS - 1);
    expect(summary.minTotalMs).toBeGreaterThanOrEqual(23 * HOUR);
    expect(summary.maxTotalMs).toBeLessThanOrEqual(24 * HOUR);
  });

  it('sums of actual delays stay within the summary at both jitter extremes and at random', () => {
    const total = (random: () => number) => {
      let sum = 0;
      for (let attempt = 1; attempt < WEBHOOK_MAX_ATTEMPTS; attempt++) sum += nextDelayMs(attempt, random)!;
      return sum;
    };
    const { minTotalMs, maxTotalMs } = scheduleSummary();
    expect(total(() => 0)).toBe(minTotalMs);
    expect(total(() => 0.999999999)).toBe(maxTotalMs);
    for (let i = 0; i < 200; i++) {
      const t = total(Math.random);
      expect(t).toBeGreaterThanOrEqual(minTotalMs);
      expect(t).toBeLessThanOrEqual(maxTotalMs);
    }
  });

  it('grows exponentially, then is capped, and never shrinks', () => {
    const { steps } = scheduleSummary();
    expect(steps[0].minDelayMs).toBe(60 * 1000);
    expect(steps[1].minDelayMs).toBe(2 * steps[0].minDelayMs);
    expect(steps[5].minDelayMs).toBe(32 * steps[0].minDelayMs);
    for (let i = 1; i < steps.length; i++) expect(steps[i].minDelayMs).toBeGreaterThanOrEqual(steps[i - 1].minDelayMs);
    for (const step of steps) {
      expect(step.maxDelayMs).toBeGreaterThan(step.minDelayMs); // there is jitter
      expect(step.maxDelayMs - step.minDelayMs).toBeLessThanOrEqual(Math.min(step.minDelayMs * 0.1, 5 * 60 * 1000));
    }
  });

  it('jitter spreads deliveries that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => nextDelayMs(3)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('stops after the last attempt and rejects nonsense', () => {
    expect(nextDelayMs(WEBHOOK_MAX_ATTEMPTS - 1, () => 0)).toBeGreaterThan(0);
    expect(nextDelayMs(WEBHOOK_MAX_ATTEMPTS)).toBeNull();
    expect(nextDelayMs(WEBHOOK_MAX_ATTEMPTS + 5)).toBeNull();
    expect(() => nextDelayMs(0)).toThrow(RangeError);
    expect(() => nextDelayMs(1.5)).toThrow(RangeError);
    expect(() => nextDelayMs(1, () => 1)).toThrow(RangeError);
  });
});

describe('isRetryableStatus', () => {
  it('retries network errors, 5xx, 408 and 429', () => {
    expect(isRetryableStatus(null)).toBe(true);
    expect(isRetryableStatus(undefined)).toBe(true);
    for (const s of [500, 502, 503, 504, 599, 408, 429]) expect(isRetryableStatus(s)).toBe(true);
  });

  it('does not retry other 4xx, redirects or successes', () => {
    for (const s of [400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 499]) expect(isRetryableStatus(s)).toBe(false);
    for (const s of [301, 302, 307, 308, 200, 204]) expect(isRetryableStatus(s)).toBe(false);
  });

  it('treats an impossible status like no response', () => {
    for (const s of [0, 42, 600, 999, Number.NaN]) expect(isRetryableStatus(s)).toBe(true);
  });
});
