import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../audit/actor';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { AccountsService, MeView, assertPasswordAcceptable, insertUser } from './accounts.service';
import { mailboxKey } from './mailbox';
import { hashPassword } from './passwords';
import { SessionsService } from './sessions.service';
import { User } from './user.entity';
import { StaffRole } from '../auth/roles';

@Injectable()
export class StaffService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /** Staff are created by an admin or the CLI; their email counts as verified (the bank issued it). */
  async create(
    input: { email: string; name: string; role: StaffRole; password: string },
    actor: Actor,
    requestId?: string,
  ): Promise<MeView> {
    assertPasswordAcceptable(input.password);
    const passwordHash = await hashPassword(input.password);
    return this.dataSource.transaction(async (m) => {
      const emailKey = mailboxKey(input.email);
      if (await m.getRepository(User).existsBy({ emailKey })) {
        throw new DomainError('conflict', 'An account with this email already exists');
      }
      const user = await insertUser(m, {
        kind: 'staff',
        email: input.email,
        emailKey,
        name: input.name,
        staffRole: input.role,
        passwordHash,
        emailVerifiedAt: new Date(),
      });
      await this.audit.append(m, {
        actor,
        action: 'staff.created',
        subject: { type: 'user', id: user.id },
        after: { email: user.email, name: user.name, role: input.role },
        requestId,
      });
      return this.accounts.view(user);
    });
  }

  async list(): Promise<(MeView & { disabled: boolean })[]> {
    const users = await this.dataSource
      .getRepository(User)
      .find({ where: { kind: 'staff' }, order: { createdAt: 'ASC' } });
    return users.map((u) => ({ ...this.accounts.view(u), disabled: u.disabledAt !== null }));
  }

  /** Disabling ends every session at once; the auth guard also refuses disabled users on each request. */
  async disable(userId: string, actor: Actor, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const user = await m
        .getRepository(User)
        .findOne({ where: { id: userId, kind: 'staff' }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw new NotFoundError('Staff member');
      if (user.id === actor.id) throw new DomainError('conflict', 'You cannot disable your own account');
      if (user.disabledAt) return;
      await m.query(`UPDATE users SET disabled_at = now(), updated_at = now() WHERE id = $1`, [user.id]);
      const ended = await this.sessions.revokeAll(m, user.id);
      await this.audit.append(m, {
        actor,
        action: 'staff.disabled',
        subject: { type: 'user', id: user.id },
        after: { sessionsEnded: ended },
        requestId,
      });
    });
    await this.sessions.invalidate({ userId });
  }
}
