import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { hashToken, newToken } from '../common/crypto/tokens';
import { DomainError, ValidationFailedError } from '../common/errors/domain-error';
import { OutboxService } from '../notifications/outbox.service';
import { LoginThrottleService } from './login-throttle.service';
import { mailboxKey } from './mailbox';
import { MfaService } from './mfa.service';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords';
import { Principal } from '../auth/principal';
import { SessionsService } from './sessions.service';
import { User } from './user.entity';
import { MeView } from './dto/auth.dto';

const VERIFY_EMAIL_TTL_MS = 24 * 3600_000;
const PASSWORD_RESET_TTL_MS = 3600_000;
/** Every password-reset request answers after at least this long (ms), whether or not the account exists. */
export const RESET_REQUEST_FLOOR_MS = 400;

export { MeView } from './dto/auth.dto';

export const accountExists = () =>
  new DomainError('conflict', 'An account with this email already exists; sign in or reset the password');

/**
 * Inserts a user; the unique mailbox key is the last word when two sign-ups for one mailbox race
 * past the existence check (PostgreSQL 23505 becomes the same 409 as the check's).
 */
export async function insertUser(m: EntityManager, fields: Partial<User>): Promise<User> {
  const repo = m.getRepository(User);
  try {
    return await repo.save(repo.create(fields));
  } catch (e) {
    if ((e as { code?: string; constraint?: string }).constraint === 'users_email_key_key') throw accountExists();
    throw e;
  }
}

export const invalidCredentials = () => new DomainError('unauthenticated', 'The email, password or code is not right');

export function assertPasswordAcceptable(password: string, field = 'password'): void {
  const problem = passwordProblem(password);
  if (problem) throw new ValidationFailedError([{ field, message: `${field} ${problem}` }]);
}

@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottleService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly mfa: MfaService,
  ) {}

  async signup(email: string, password: string, name: string, requestId?: string): Promise<MeView> {
    assertPasswordAcceptable(password);
    const passwordHash = await hashPassword(password);
    return this.dataSource.transaction(async (m) => {
      const emailKey = mailboxKey(email);
      if (await m.getRepository(User).existsBy({ emailKey })) throw accountExists();
      const user = await insertUser(m, { kind: 'developer', email, emailKey, name, passwordHash });
      await this.sendEmailToken(m, user, 'verify_email');
      await this.audit.append(m, {
        actor: { type: 'developer', id: user.id },
        action: 'account.signed_up',
        subject: { type: 'user', id: user.id },
        after: { email, name },
        requestId,
      });
      return this.view(user);
    });
  }

  async verifyEmail(token: string, requestId?: string): Promise<void> {
    const userId = await this.dataSource.transaction(async (m) => {
      const user = await this.redeem(m, token, 'verify_email');
      if (!user.emailVerifiedAt)
        await m.query(`UPDATE users SET email_verified_at = now(), updated_at = now() WHERE id = $1`, [user.id]);
      await this.audit.append(m, {
        actor: { type: user.kind, id: user.id },
        action: 'account.email_verified',
        subject: { type: 'user', id: user.id },
        requestId,
      });
      return user.id;
    });
    await this.sessions.invalidate({ userId });
  }

  async login(email: string, password: string, totp: string | undefined, ip: string, requestId?: string) {
    await this.throttle.assertNotLocked(email, ip);
    const user = await this.dataSource.getRepository(User).findOneBy({ emailKey: mailboxKey(email) });
    const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
    const usable = user && passwordOk && !user.disabledAt;
    const needsTotp = Boolean(usable && user.kind === 'staff' && user.totpEnabledAt !== null);
    const totpOk = needsTotp ? totp !== undefined && (await this.mfa.consumeCode(user!, totp)) : true;

    if (!usable || !totpOk) {
      await this.dataSource.transaction((m) =>
        this.audit.append(m, {
          actor: { type: user?.kind ?? 'developer', id: user?.id ?? null },
          action: 'account.login_failed',
          subject: { type: 'user', id: user?.id ?? null },
          after: {
            reason: !user
              ? 'unknown_account'
              : !passwordOk
                ? 'bad_password'
                : user.disabledAt
                  ? 'disabled'
                  : 'bad_totp',
          },
          requestId,
        }),
      );
      // After the audit entry, so an attempt is on record even when Redis refuses to count it (503).
      await this.throttle.recordFailure(email, ip);
      throw invalidCredentials();
    }
    await this.throttle.clearAccount(email);
    return this.dataSource.transaction(async (m) => {
      const session = await this.sessions.create(m, user, needsTotp);
      await this.audit.append(m, {
        actor: { type: user.kind, id: user.id },
        action: 'account.logged_in',
        subject: { type: 'session', id: session.sessionId },
        requestId,
      });
      return { accessToken: session.accessToken, expiresAt: session.expiresAt };
    });
  }

  async logout(principal: Principal, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [
        principal.sessionId,
      ]);
      await this.audit.append(m, {
        actor: { type: principal.kind, id: principal.userId },
        action: 'account.logged_out',
        subject: { type: 'session', id: principal.sessionId },
        requestId,
      });
    });
    await this.sessions.invalidate({ sessionId: principal.sessionId });
  }

  /**
   * Always resolves the same way and after the same floor time, so it reveals nothing about the
   * address. The hourly limit is counted before the account is looked up: were Redis down, every
   * address gets the same 503, known or not.
   */
  async requestPasswordReset(email: string, requestId?: string): Promise<void> {
    const started = Date.now();
    try {
      const allowed = await this.throttle.allowHourly('password-reset', email, 3);
      const user = allowed
        ? await this.dataSource.getRepository(User).findOneBy({ emailKey: mailboxKey(email) })
        : null;
      if (user && !user.disabledAt) {
        await this.dataSource.transaction(async (m) => {
          await this.sendEmailToken(m, user, 'password_reset');
          await this.audit.append(m, {
            actor: { type: user.kind, id: user.id },
            action: 'account.password_reset_requested',
            subject: { type: 'user', id: user.id },
            requestId,
          });
        });
      }
    } finally {
      const wait = RESET_REQUEST_FLOOR_MS - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  async confirmPasswordReset(token: string, password: string, requestId?: string): Promise<void> {
    assertPasswordAcceptable(password);
    const passwordHash = await hashPassword(password);
    const { email, userId } = await this.dataSource.transaction(async (m) => {
      const user = await this.redeem(m, token, 'password_reset');
      // Following the emailed link proves the address, too.
      await m.query(
        `UPDATE users SET password_hash = $2, email_verified_at = COALESCE(email_verified_at, now()), updated_at = now() WHERE id = $1`,
        [user.id, passwordHash],
      );
      const ended = await this.sessions.revokeAll(m, user.id);
      await this.audit.append(m, {
        actor: { type: user.kind, id: user.id },
        action: 'account.password_reset',
        subject: { type: 'user', id: user.id },
        after: { sessionsEnded: ended },
        requestId,
      });
      return { email: user.email, userId: user.id };
    });
    await this.sessions.invalidate({ userId });
    await this.throttle.clearAccount(email);
  }

  /** The guard has just read everything `me` shows; no second query. */
  me(principal: Principal): MeView {
    return {
      id: principal.userId,
      kind: principal.kind,
      email: principal.email,
      name: principal.name,
      emailVerified: principal.emailVerified,
      staffRole: principal.staffRole,
      mfaEnrolled: principal.mfaEnrolled,
    };
  }

  view(user: User): MeView {
    return {
      id: user.id,
      kind: user.kind,
      email: user.email,
      name: user.name,
      emailVerified: user.emailVerifiedAt !== null,
      staffRole: user.staffRole,
      mfaEnrolled: user.totpEnabledAt !== null,
    };
  }

  private async sendEmailToken(
    m: EntityManager,
    user: User,
    purpose: 'verify_email' | 'password_reset',
  ): Promise<void> {
    const token = newToken();
    const ttl = purpose === 'verify_email' ? VERIFY_EMAIL_TTL_MS : PASSWORD_RESET_TTL_MS;
    await m.query(`INSERT INTO email_tokens (user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, $4)`, [
      user.id,
      purpose,
      hashToken(token),
      new Date(Date.now() + ttl),
    ]);
    if (purpose === 'verify_email')
      await this.outbox.enqueue(m, user.email, 'verify-email', { name: user.name, token });
    else await this.outbox.enqueue(m, user.email, 'password-reset', { name: user.name, token });
  }

  /**
   * Marks a link token used (single use, atomically: of two concurrent redemptions one wins) and
   * returns its user; any unusable token gets the same answer. The user's other unused links for
   * the same purpose die with it: an older reset email must not reset the password a second time.
   */
  private async redeem(m: EntityManager, token: string, purpose: 'verify_email' | 'password_reset'): Promise<User> {
    const [row] = (await m.query(
      `UPDATE email_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
      [hashToken(token), purpose],
    )) as [{ user_id: string }[], number];
    const userId = row[0]?.user_id;
    if (userId) {
      await m.query(`UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, [
        userId,
        purpose,
      ]);
    }
    const user = userId ? await m.getRepository(User).findOneBy({ id: userId }) : null;
    if (!user || user.disabledAt)
      throw new DomainError('invalid_state', 'This link is invalid, expired or already used; ask for a new one');
    return user;
  }
}
