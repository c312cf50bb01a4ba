import type Redis from 'ioredis';
import type { AppConfig } from '../config/config';
import type { Principal } from '../auth/principal';
import { PrincipalCache } from './principal-cache';

// The cache's timing against an injected clock (jest's fake Date). Redis is only published to here;
// the pub/sub path between processes is covered by the accounts e2e specs.
const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;

function principal(userId: string, sessionId: string): Principal {
  return {
    userId,
    sessionId,
    kind: 'developer',
    email: `${userId}@example.com`,
    name: userId,
    emailVerified: true,
    staffRole: null,
    mfaEnrolled: false,
    mfaVerified: false,
  } as Principal;
}

describe('PrincipalCache', () => {
  let cache: PrincipalCache;
  const published: string[] = [];
  // The invalidation channel's connection: only its status matters here.
  let subscriber: { status: string; on: () => unknown; subscribe: () => Promise<number> };

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    published.length = 0;
    subscriber = { status: 'ready', on: () => subscriber, subscribe: () => Promise.resolve(1) };
    const redis = {
      publish: (_: string, m: string) => Promise.resolve(published.push(m)),
      duplicate: () => subscriber,
    } as unknown as Redis;
    cache = new PrincipalCache(redis, { redis: { prefix: 'spec' } } as AppConfig);
    cache.onModuleInit();
  });
  afterEach(() => jest.useRealTimers());

  it('keeps a principal 30 s, not longer, even when the session lasts an hour', () => {
    cache.set('a', principal('u1', 's1'), T0 + HOUR);
    jest.setSystemTime(T0 + 30_000);
    expect(cache.get('a')?.sessionId).toBe('s1');
    jest.setSystemTime(T0 + 30_001);
    expect(cache.get('a')).toBeUndefined();
  });

  it('never returns a principal past its session expiry', () => {
    cache.set('a', principal('u1', 's1'), T0 + 5_000);
    jest.setSystemTime(T0 + 5_000);
    expect(cache.get('a')).toBeDefined();
    jest.setSystemTime(T0 + 5_001);
    expect(cache.get('a')).toBeUndefined();
  });

  it('does not cache a session already at or past its end (lru-cache would read ttl 0 as forever)', () => {
    cache.set('now', principal('u1', 's1'), T0);
    cache.set('past', principal('u2', 's2'), T0 - 1);
    expect(cache.get('now')).toBeUndefined();
    expect(cache.get('past')).toBeUndefined();
    jest.setSystemTime(T0 + HOUR);
    expect(cache.get('now')).toBeUndefined();
  });

  it('drops the entries of a user or of a session at once and publishes the change', async () => {
    cache.set('a', principal('u1', 's1'), T0 + HOUR);
    cache.set('b', principal('u1', 's2'), T0 + HOUR);
    cache.set('c', principal('u2', 's3'), T0 + HOUR);
    cache.set('d', principal('u3', 's4'), T0 + HOUR);
    await cache.invalidate({ userId: 'u1' });
    await cache.invalidate({ sessionId: 's3' });
    expect(['a', 'b', 'c', 'd'].map((k) => cache.get(k)?.sessionId)).toEqual([undefined, undefined, undefined, 's4']);
    expect(published).toEqual([JSON.stringify({ userId: 'u1' }), JSON.stringify({ sessionId: 's3' })]);
  });

  it('when full (10,000), forgets the least recently used token, not a busy one', () => {
    for (let i = 0; i < 10_000; i += 1) cache.set(`t${i}`, principal(`u${i}`, `s${i}`), T0 + HOUR);
    expect(cache.get('t0')).toBeDefined();
    cache.set('new', principal('u', 's'), T0 + HOUR);
    expect(cache.get('t0')).toBeDefined();
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('new')).toBeDefined();
  });

  it('is bypassed while the invalidation channel is down, since a sign-out elsewhere could not reach it', () => {
    cache.set('a', principal('u1', 's1'), T0 + HOUR);
    subscriber.status = 'reconnecting';
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', principal('u2', 's2'), T0 + HOUR);
    subscriber.status = 'ready';
    expect(cache.get('b')).toBeUndefined();
  });
});
