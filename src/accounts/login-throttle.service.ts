import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { execAll, failClosed } from '../redis/fail-closed';
import { REDIS } from '../redis/redis.module';
import { RedisClient } from '../redis/redis-options';
import { mailboxKey } from './mailbox';

const emailKey = (email: string) => createHash('sha256').update(mailboxKey(email)).digest('hex').slice(0, 32);

/**
 * Redis-backed failure counters. Only failures count, per account and per address, so an office
 * behind one address is not locked out by its own successful traffic. Keys hold hashes, not emails.
 * Without Redis the counters cannot be read or kept, so checks and counting fail closed (503 with
 * Retry-After, docs/decisions.md "Redis outages"); only clearing after a success fails open.
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Refuses before the password is even checked, so a locked account reveals nothing. */
  async assertNotLocked(email: string, ip: string): Promise<void> {
    const { loginMaxFailures } = this.config.auth;
    const [account, address, ttlAccount, ttlAddress] = (await failClosed(
      execAll(
        this.redis
          .multi()
          .get(`login:fail:acct:${emailKey(email)}`)
          .get(`login:fail:ip:${ip}`)
          .ttl(`login:fail:acct:${emailKey(email)}`)
          .ttl(`login:fail:ip:${ip}`),
      ),
      'Sign-in',
    )) as (string | number | null)[];
    const accountLocked = Number(account ?? 0) >= loginMaxFailures;
    const addressLocked = Number(address ?? 0) >= loginMaxFailures * 10;
    if (accountLocked || addressLocked) {
      const retryAfter = Math.max(1, Number(accountLocked ? ttlAccount : ttlAddress));
      throw new DomainError(
        'rate_limited',
        `Too many failed sign-in attempts ${accountLocked ? 'for this account' : 'from this address'}. Try again in ${Math.ceil(retryAfter / 60)} minute(s).`,
        { retryAfterSeconds: retryAfter },
        { 'Retry-After': String(retryAfter) },
      );
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const window = this.config.auth.loginLockoutSeconds;
    await failClosed(
      execAll(
        this.redis
          .multi()
          .incr(`login:fail:acct:${emailKey(email)}`)
          .expire(`login:fail:acct:${emailKey(email)}`, window, 'NX')
          .incr(`login:fail:ip:${ip}`)
          .expire(`login:fail:ip:${ip}`, window, 'NX'),
      ),
      'Sign-in',
    );
  }

  /** Fails open: the caller has just proved the password, and the counter expires on its own. */
  async clearAccount(email: string): Promise<void> {
    await this.redis
      .del(`login:fail:acct:${emailKey(email)}`)
      .catch((e: Error) => this.logger.warn(`failure counter not cleared: ${e.message}`));
  }

  /** At most `max` events per key per hour (password-reset emails, verification resends). */
  async allowHourly(kind: string, subject: string, max: number): Promise<boolean> {
    const key = `hourly:${kind}:${emailKey(subject)}`;
    const [count] = await failClosed(execAll(this.redis.multi().incr(key).expire(key, 3600, 'NX')), 'This request');
    return Number(count) <= max;
  }
}
