/**
 * Runs the process clock (`Date.now`, epoch ms) from `at` instead of the wall clock, at real speed,
 * until the returned function restores it. The app under test runs in the test's process, so its
 * services read this clock; PostgreSQL and Redis keep their own (TTLs and `now()` are not moved).
 * Keep the shift small and the span short: queues and caches read the same clock.
 */
export function runClockFrom(at: number): () => void {
  const wallClock = Date.now;
  const offset = at - wallClock();
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => wallClock() + offset);
  return () => spy.mockRestore();
}

/** The start of the current wall-clock minute plus `seconds`: a window-based limit then has 60 - `seconds` s left. */
export const secondOfThisMinute = (seconds: number): number =>
  Math.floor(Date.now() / 60_000) * 60_000 + seconds * 1000;
