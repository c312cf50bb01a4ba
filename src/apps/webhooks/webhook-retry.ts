/**
 * The retry schedule for webhook deliveries: exponential backoff with bounded jitter, spanning
 * about a day, so a receiver that is down overnight still gets its events once it comes back.
 *
 * Attempt 1 is the first delivery; after a retryable failure of attempt n (1-based), the next one
 * waits nextDelayMs(n). Nominal delays double from 1 minute (1, 2, 4 … 256 minutes) and are then
 * capped at 7 h 20 min; 12 attempts in all (11 waits):
 *
 *   1m 2m 4m 8m 16m 32m 1h04m 2h08m 4h16m 7h20m 7h20m   = 23 h 11 min nominal
 *
 * Jitter only ever lengthens a wait, by up to 10 % of it and never more than 5 minutes, so
 * deliveries that failed together (a receiver outage) do not all return in the same second, while
 * the whole schedule stays inside [23 h 11 min, 23 h 42 min 18 s] — at least 23 h, so retries
 * really cover the day, and under 24 h even with a few seconds of request timeout per attempt
 * (12 attempts × a 10 s timeout add 2 minutes).
 *
 * With BullMQ: `attempts: WEBHOOK_MAX_ATTEMPTS` and a custom backoff strategy returning
 * `nextDelayMs(attemptsMade) ?? 0` (BullMQ passes the attempts made so far, 1 after the first
 * failure). A 429's Retry-After is not honoured beyond this schedule: the schedule is the contract.
 */

const MINUTE = 60 * 1000;

export const WEBHOOK_MAX_ATTEMPTS = 12;
export const WEBHOOK_BASE_DELAY_MS = 1 * MINUTE;
export const WEBHOOK_BACKOFF_FACTOR = 2;
export const WEBHOOK_MAX_DELAY_MS = 7 * 60 * MINUTE + 20 * MINUTE;
/** Jitter adds up to this fraction of the nominal delay … */
export const WEBHOOK_JITTER_RATIO = 0.1;
/** … and never more than this. */
export const WEBHOOK_MAX_JITTER_MS = 5 * MINUTE;

/** The nominal (jitter-free) wait after a failure of `attempt`. */
function nominalDelayMs(attempt: number): number {
  return Math.min(WEBHOOK_BASE_DELAY_MS * WEBHOOK_BACKOFF_FACTOR ** (attempt - 1), WEBHOOK_MAX_DELAY_MS);
}

function maxJitterMs(nominal: number): number {
  return Math.min(Math.round(nominal * WEBHOOK_JITTER_RATIO), WEBHOOK_MAX_JITTER_MS);
}

/**
 * How long to wait after attempt `attempt` (1-based) failed, or null when it was the last one.
 * `random` returns a number in [0, 1), like Math.random (inject a fixed one in tests).
 */
export function nextDelayMs(attempt: number, random: () => number = Math.random): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError('attempt must be a positive integer (1 after the first delivery failed)');
  }
  if (attempt >= WEBHOOK_MAX_ATTEMPTS) return null;
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError('random() must return a number in [0, 1)');
  const nominal = nominalDelayMs(attempt);
  return nominal + Math.floor(r * (maxJitterMs(nominal) + 1));
}

export interface WebhookRetryStep {
  /** The attempt that failed. */
  afterAttempt: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export interface WebhookScheduleSummary {
  maxAttempts: number;
  steps: WebhookRetryStep[];
  /** Sum of all waits with no jitter: the soonest the last attempt can start after the first. */
  minTotalMs: number;
  /** Sum of all waits with the most jitter: the latest the last attempt can start after the first. */
  maxTotalMs: number;
}

/** The whole schedule with its bounds, for tests, docs and the developer portal. */
export function scheduleSummary(): WebhookScheduleSummary {
  const steps: WebhookRetryStep[] = [];
  for (let attempt = 1; attempt < WEBHOOK_MAX_ATTEMPTS; attempt++) {
    const nominal = nominalDelayMs(attempt);
    steps.push({ afterAttempt: attempt, minDelayMs: nominal, maxDelayMs: nominal + maxJitterMs(nominal) });
  }
  return {
    maxAttempts: WEBHOOK_MAX_ATTEMPTS,
    steps,
    minTotalMs: steps.reduce((sum, s) => sum + s.minDelayMs, 0),
    maxTotalMs: steps.reduce((sum, s) => sum + s.maxDelayMs, 0),
  };
}

/**
 * Whether a failed delivery is worth retrying. `status` is the receiver's HTTP status, or
 * null/undefined when there was no response (connection refused, DNS failure, TLS error, timeout).
 *
 * Retry: no response, any 5xx, 408 Request Timeout, 429 Too Many Requests, and a status outside
 * 100–599 (a broken server, like no response). Do not retry: other 4xx (the receiver rejected the
 * event; resending the same bytes will not change its mind), 3xx (redirects are not followed, so
 * a moved endpoint needs its URL updated), and 1xx/2xx (2xx is success: check it first).
 */
export function isRetryableStatus(status: number | null | undefined): boolean {
  if (status === null || status === undefined) return true;
  if (!Number.isInteger(status) || status < 100 || status > 599) return true;
  if (status >= 500) return true;
  return status === 408 || status === 429;
}
