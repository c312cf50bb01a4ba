import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as OTPAuth from 'otpauth';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { loadMasterKey, openSecret, sealSecret } from '../common/crypto/master-key';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Principal } from './principal';
import { SessionsService } from './sessions.service';
import { User } from './user.entity';

const totpFor = (secret: OTPAuth.Secret, label: string) =>
  new OTPAuth.TOTP({ issuer: 'Gatehouse', label, algorithm: 'SHA1', digits: 6, period: 30, secret });

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
    await this.dataSource.query(`UPDATE users SET totp_secret = $2, updated_at = now() WHERE id = $1`, [user.id, sealSecret(this.masterKey(), secret.base32, user.id)]);
    return { otpauthUrl: totpFor(secret, user.email).toString(), secret: secret.base32 };
  }

  async confirm(principal: Principal, code: string, requestId?: string): Promise<{ mfaEnrolled: true }> {
    const user = await this.dataSource.getRepository(User).findOneByOrFail({ id: principal.userId });
    if (user.totpEnabledAt) throw new DomainError('conflict', 'Two-factor authentication is already enrolled');
    if (!user.totpSecret) throw new DomainError('invalid_state', 'Start with /v1/auth/mfa/totp/setup');
    if (!this.verifyCode(user, code)) throw new DomainError('validation_failed', 'The code is not right; check the time on your device', { errors: [{ field: 'code', message: 'code does not match' }] });
    await this.dataSource.transaction(async (m) => {
      await m.query(`UPDATE users SET totp_enabled_at = now(), updated_at = now() WHERE id = $1`, [user.id]);
      // This session proved the second factor just now.
      await m.query(`UPDATE sessions SET mfa_verified = true WHERE id = $1`, [principal.sessionId]);
      await this.audit.append(m, { actor: { type: user.kind, id: user.id }, action: 'account.mfa_enrolled', subject: { type: 'user', id: user.id }, requestId });
    });
    await this.sessions.invalidate({ userId: user.id });
    return { mfaEnrolled: true };
  }

  verifyCode(user: User, code: string): boolean {
    if (!user.totpSecret) return false;
    const secret = OTPAuth.Secret.fromBase32(openSecret(this.masterKey(), user.totpSecret, user.id));
    return totpFor(secret, user.email).validate({ token: code, window: 1 }) !== null;
  }

  private masterKey(): Buffer {
    this.key ??= loadMasterKey(this.config, (m) => this.logger.warn(m));
    return this.key;
  }
}
