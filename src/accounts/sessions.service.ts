import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CREDENTIAL_PREFIX, newCredential } from '../common/crypto/credential-format';
import { hashToken } from '../common/crypto/tokens';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SessionAuthenticator } from '../auth/ports';
import { Principal } from '../auth/principal';
import { StaffRole, UserKind } from '../auth/roles';
import { PrincipalCache } from './principal-cache';
import { User } from './user.entity';

/** Session lifetimes: staff sessions are shorter, since they can decide cases. */
export const SESSION_POLICY: Record<UserKind, { idleMs: number; absoluteMs: number }> = {
  developer: { idleMs: 2 * 3600_000, absoluteMs: 12 * 3600_000 },
  staff: { idleMs: 15 * 60_000, absoluteMs: 8 * 3600_000 },
};

// Sliding the idle expiry on every request would write on every request; once a minute is enough.
const TOUCH_EVERY_MS = 60_000;

interface SessionRow {
  session_id: string;
  user_id: string;
  mfa_verified: boolean;
  last_used_at: Date;
  expires_at: Date;
  idle_expires_at: Date;
  kind: UserKind;
  email: string;
  name: string;
  email_verified_at: Date | null;
  staff_role: StaffRole | null;
  totp_enabled_at: Date | null;
}

/** Sessions behind bearer tokens: creation, authentication (auth's SESSION_AUTHENTICATOR), revocation. */
@Injectable()
export class SessionsService implements SessionAuthenticator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: PrincipalCache,
  ) {}

  async create(
    manager: EntityManager,
    user: User,
    mfaVerified: boolean,
  ): Promise<{ accessToken: string; expiresAt: string; sessionId: string }> {
    const policy = SESSION_POLICY[user.kind];
    const token = newCredential(CREDENTIAL_PREFIX.session);
    const now = Date.now();
    const expiresAt = new Date(now + policy.absoluteMs);
    const rows = (await manager.query(
      `INSERT INTO sessions (user_id, token_hash, mfa_verified, idle_expires_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [user.id, hashToken(token), mfaVerified, new Date(now + policy.idleMs), expiresAt],
    )) as { id: string }[];
    return { accessToken: token, expiresAt: expiresAt.toISOString(), sessionId: rows[0]!.id };
  }

  /** The principal behind a bearer token, or undefined when the token is unknown, expired, revoked or its user disabled. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const tokenHash = hashToken(token);
    const cached = this.cache.get(tokenHash);
    if (cached) return { ...cached };
    const [row] = (await this.dataSource.query(
      `SELECT s.id AS session_id, s.user_id, s.mfa_verified, s.last_used_at, s.expires_at, s.idle_expires_at,
              u.kind, u.email, u.name, u.email_verified_at, u.staff_role, u.totp_enabled_at
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND s.idle_expires_at > now() AND u.disabled_at IS NULL`,
      [tokenHash],
    )) as SessionRow[];
    if (!row) return undefined;
    let idleUntil = row.idle_expires_at.getTime();
    if (Date.now() - row.last_used_at.getTime() > TOUCH_EVERY_MS) {
      idleUntil = Math.min(Date.now() + SESSION_POLICY[row.kind].idleMs, row.expires_at.getTime());
      await this.dataSource.query(`UPDATE sessions SET last_used_at = now(), idle_expires_at = $2 WHERE id = $1`, [
        row.session_id,
        new Date(idleUntil),
      ]);
    }
    const principal: Principal = {
      userId: row.user_id,
      sessionId: row.session_id,
      kind: row.kind,
      email: row.email,
      name: row.name,
      emailVerified: row.email_verified_at !== null,
      staffRole: row.staff_role,
      mfaEnrolled: row.totp_enabled_at !== null,
      mfaVerified: row.mfa_verified,
    };
    this.cache.set(tokenHash, principal, Math.min(idleUntil, row.expires_at.getTime()));
    // Guards add per-request fields (organisationRole); they must not leak into the cached copy.
    return { ...principal };
  }

  /** After a commit that ended or changed sessions: forget cached principals everywhere. */
  invalidate(target: { userId?: string; sessionId?: string }): Promise<void> {
    return this.cache.invalidate(target);
  }

  async revoke(sessionId: string): Promise<void> {
    await this.dataSource.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [
      sessionId,
    ]);
  }

  /** Ends every session of a user: password reset, staff disablement. */
  async revokeAll(manager: EntityManager, userId: string): Promise<number> {
    const [, count] = (await manager.query(
      `UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    )) as [unknown, number];
    return count;
  }
}
