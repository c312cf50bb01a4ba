/**
 * `work`, or a rejection with `Error(message)` once `ms` milliseconds have passed, whichever comes
 * first. The timer is cleared either way. `work` itself is not cancelled: a caller that gives up
 * on it should expect it may still finish (and, if it can reject late, attach its own catch).
 */
export function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
