import { Logger } from '@nestjs/common';
import { ChainableCommander } from 'ioredis';
import { DomainError } from '../common/errors/domain-error';

/** Seconds a client is told to wait (`Retry-After`) when a Redis-backed safeguard cannot run. */
export const REDIS_RETRY_AFTER_SECONDS = 5;

const logger = new Logger('Redis');

/**
 * The 503 problem a request gets when a safeguard kept in Redis (sign-in lockout, email limits)
 * cannot be checked: the request is refused rather than let through unguarded. RFC 9110 §10.2.3
 * (Retry-After) and §15.6.4 (503). `what` names the safeguard; it never carries request data.
 */
export function redisUnavailable(what: string): DomainError {
  return new DomainError(
    'unavailable',
    `${what} is unavailable for a moment; try again in ${REDIS_RETRY_AFTER_SECONDS} seconds`,
    { retryAfterSeconds: REDIS_RETRY_AFTER_SECONDS },
    { 'Retry-After': String(REDIS_RETRY_AFTER_SECONDS) },
  );
}

/**
 * Awaits a Redis call of a fail-closed safeguard: any error (disconnected, timed out, a MULTI
 * command refused) becomes the 503 of redisUnavailable(). Domain errors pass through untouched.
 */
export async function failClosed<T>(work: Promise<T>, what: string): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof DomainError) throw e;
    logger.warn(`${what} refused, Redis unavailable: ${(e as Error).message}`);
    throw redisUnavailable(what);
  }
}

/**
 * Runs a MULTI and returns each command's reply in order. ioredis reports a command's own error
 * inside the result tuples rather than rejecting; here any such error (or an aborted
 * transaction) rejects, so a half-answered MULTI is never read as zeros.
 */
export async function execAll(multi: ChainableCommander): Promise<unknown[]> {
  const results = await multi.exec();
  if (!results) throw new Error('MULTI was aborted');
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
