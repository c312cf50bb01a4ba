import Redis from 'ioredis';
import { DomainError } from '../common/errors/domain-error';
import { REDIS_RETRY_AFTER_SECONDS, execAll, failClosed } from './fail-closed';

describe('failClosed', () => {
  it('turns a Redis error into a 503 problem with Retry-After', async () => {
    const error = await failClosed(Promise.reject(new Error("Stream isn't writeable")), 'Sign-in').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: 'unavailable',
      extensions: { retryAfterSeconds: REDIS_RETRY_AFTER_SECONDS },
      headers: { 'Retry-After': String(REDIS_RETRY_AFTER_SECONDS) },
    });
    expect((error as Error).message).toMatch(/^Sign-in is unavailable/);
  });

  it('passes values and domain errors through unchanged', async () => {
    expect(await failClosed(Promise.resolve(3), 'x')).toBe(3);
    const locked = new DomainError('rate_limited', 'Too many');
    await expect(failClosed(Promise.reject(locked), 'x')).rejects.toBe(locked);
  });
});

describe('execAll', () => {
  // A MULTI that never reaches a server: exec() is replaced by the replies under test.
  const multiReplying = (replies: [Error | null, unknown][] | null) => {
    const multi = new Redis({ lazyConnect: true }).multi();
    multi.exec = () => Promise.resolve(replies);
    return multi;
  };

  it('returns the replies in order', async () => {
    expect(
      await execAll(
        multiReplying([
          [null, '4'],
          [null, 60],
        ]),
      ),
    ).toEqual(['4', 60]);
  });

  it('rejects when one command failed inside the MULTI, rather than reading it as empty', async () => {
    const failed = new Error('LOADING Redis is loading the dataset in memory');
    await expect(
      execAll(
        multiReplying([
          [null, '4'],
          [failed, null],
        ]),
      ),
    ).rejects.toBe(failed);
  });

  it('rejects an aborted transaction', async () => {
    await expect(execAll(multiReplying(null))).rejects.toThrow(/aborted/);
  });
});
