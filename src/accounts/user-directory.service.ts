import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { User } from './user.entity';

/** What other areas may know of a user: enough to address them and show who they are. */
export interface UserContact {
  id: string;
  name: string;
  email: string;
}

/**
 * The `users` table for the areas above (organisations, review, apps): they read users only through
 * here (docs/decisions.md "Table ownership"). Methods that take an EntityManager read in the caller's
 * transaction. Nothing here returns a password hash or TOTP secret.
 */
@Injectable()
export class UserDirectoryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Contacts of `userIds` (unknown ids are skipped), ordered by email (case-insensitive: citext). */
  async contacts(userIds: readonly string[], m: EntityManager = this.dataSource.manager): Promise<UserContact[]> {
    if (userIds.length === 0) return [];
    const sql = `SELECT id, name, email FROM users WHERE id = ANY($1::uuid[]) ORDER BY email`;
    return (await m.query(sql, [userIds])) as UserContact[];
  }

  /** Whether one of `userIds` has the mailbox `emailKey` (accounts/mailbox.ts `mailboxKey`). */
  async anyHasMailbox(m: EntityManager, userIds: readonly string[], emailKey: string): Promise<boolean> {
    if (userIds.length === 0) return false;
    const sql = `SELECT 1 FROM users WHERE id = ANY($1::uuid[]) AND email_key = $2 LIMIT 1`;
    return ((await m.query(sql, [userIds, emailKey])) as unknown[]).length > 0;
  }

  /** The mailbox key and verification of a user who is signed in (so exists): to match an invitation. */
  async mailboxOf(m: EntityManager, userId: string): Promise<Pick<User, 'id' | 'emailKey' | 'emailVerifiedAt'>> {
    const user = await m.getRepository(User).findOneByOrFail({ id: userId });
    return { id: user.id, emailKey: user.emailKey, emailVerifiedAt: user.emailVerifiedAt };
  }

  /**
   * Staff who review (reviewer, senior_reviewer), not disabled and with TOTP set up, so able to sign
   * in and claim: the people review's digests and SLA alerts go to. Ordered by email.
   */
  activeReviewers(m: EntityManager = this.dataSource.manager): Promise<{ id: string; email: string }[]> {
    return m.query(
      `SELECT u.id, u.email FROM users u
        WHERE u.kind = 'staff' AND u.staff_role IN ('reviewer', 'senior_reviewer')
          AND u.disabled_at IS NULL AND u.totp_enabled_at IS NOT NULL
        ORDER BY u.email`,
    ) as Promise<{ id: string; email: string }[]>;
  }
}
