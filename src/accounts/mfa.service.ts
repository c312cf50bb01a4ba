import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as OTPAuth from 'otpauth';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { loadMasterKey, openSecret, sealSecret } from '../common/crypto/master-key';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Principal } from '../auth/principal';
import { SessionsService } from './sessions.service';
import { User } from './user.entity';

const totpFor = (secret: OTPAuth.Secret, label: string) =>
  new OTPAuth.TOTP({ issuer: 'Gatehouse', label, algorithm: 'SHA1', digits: 6, period: 30, secret });

/** Steps of clock drift accepted either side of now (RFC 6238 §5.2 recommends at most one). */
const DRIFT_STEPS = 1;

/** TOTP (RFC 6238) enrolment and checks for staff. Secrets are sealed with the master key at rest. */
@Injectable()
export class MfaService {
  private readonly logger = new Logger(MfaService.name);
  private key?: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
  ) {}

  /** A new secret each time until confirmed; confirming turns MFA on. Re-enrolment after that is refused. */
  async setup(principal: Principal): Promise<{ otpauthUrl: string; secret: string }> {
    const user = await this.dataSource.getRepository(User).findOneByOrFail({ id: principal.userId });
    if (user.totpEnabledAt) throw new DomainError('conflict', 'Two-factor authentication is already enrolled');
    const secret = new OTPAuth.Secret({ size: 20 });
    // A new secret starts a new sequence of steps.
    await this.dataSource.query(
      `UPDATE users SET totp_secret = $2, totp_last_step = NULL, updated_at = now() WHERE id = $1`,
      [user.id, sealSecret(this.masterKey(), secret.base32, user.id)],
    );
    return { otpauthUrl: totpFor(secret, user.email).toString(), secret: secret.base32 };
  }

  async confirm(principal: Principal, code: string, requestId?: string): Promise<{ mfaEnrolled: true }> {
    const user = await this.dataSource.getRepository(User).findOneByOrFail({ id: principal.userId });
    if (user.totpEnabledAt) throw new DomainError('conflict', 'Two-factor authentication is already enrolled');
    if (!user.totpSecret) throw new DomainError('invalid_state', 'Start with /v1/auth/mfa/totp/setup');
    await this.dataSource.transaction(async (m) => {
      // The enrolment code is spent too: it cannot sign in afterwards.
      if (!(await this.consumeCode(user, code, m))) {
        const errors = [{ field: 'code', message: 'code does not match' }];
        throw new DomainError('validation_failed', 'The code is not right or was used already; wait for the next one', {
          errors,
        });
      }
      const [, enabled] = (await m.query(
        `UPDATE users SET totp_enabled_at = now(), updated_at = now()
          WHERE id = $1 AND totp_secret = $2 AND totp_enabled_at IS NULL`,
        [user.id, user.totpSecret],
      )) as [unknown, number];
      if (enabled !== 1)
        throw new DomainError('conflict', 'Two-factor setup changed meanwhile; start again from setup');
      // This session proved the second factor just now.
      await m.query(`UPDATE sessions SET mfa_verified = true WHERE id = $1`, [principal.sessionId]);
      await this.audit.append(m, {
        actor: { type: user.kind, id: user.id },
        action: 'account.mfa_enrolled',
        subject: { type: 'user', id: user.id },
        requestId,
      });
    });
    await this.sessions.invalidate({ userId: user.id });
    return { mfaEnrolled: true };
  }

  /**
   * Checks a six-digit TOTP code and spends it: true only when the code matches a time step within
   * ±1 of now (30 s steps) that is later than the last step this user had accepted, which is then
   * recorded. RFC 6238 §5.2: a code is accepted once, and never one older than an accepted one.
   * The record is a conditional UPDATE, so of two concurrent checks of one code exactly one wins.
   * `now` is epoch milliseconds (injectable for tests).
   */
  async consumeCode(user: User, code: string, manager = this.dataSource.manager, now = Date.now()): Promise<boolean> {
    if (!user.totpSecret) return false;
    const secret = OTPAuth.Secret.fromBase32(openSecret(this.masterKey(), user.totpSecret, user.id));
    const totp = totpFor(secret, user.email);
    const delta = totp.validate({ token: code, window: DRIFT_STEPS, timestamp: now });
    if (delta === null) return false;
    const step = totp.counter({ timestamp: now }) + delta;
    const [, spent] = (await manager.query(
      // Only against the secret the code was checked with: a setup that replaced it meanwhile wins.
      `UPDATE users SET totp_last_step = $2
        WHERE id = $1 AND totp_secret = $3 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
      [user.id, step, user.totpSecret],
    )) as [unknown, number];
    return spent === 1;
  }

  private masterKey(): Buffer {
    this.key ??= loadMasterKey(this.config, (m) => this.logger.warn(m));
    return this.key;
  }
}
