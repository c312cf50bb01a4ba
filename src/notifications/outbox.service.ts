import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { CURSOR_KINDS, Page, keysetPage } from '../common/pagination/pagination';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';
import { TemplateData, TemplateName } from './templates/catalogue';

export const OUTBOX_CHANNEL = 'gatehouse_outbox';

/** What an admin sees of a message: never its template data (it can hold names and tokens). */
export interface OutboxMessageView {
  id: string;
  recipient: string;
  template: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

const view = (m: OutboxMessage): OutboxMessageView => ({
  id: m.id,
  recipient: m.recipient,
  template: m.template,
  status: m.status,
  attempts: m.attempts,
  lastError: m.lastError,
  createdAt: m.createdAt.toISOString(),
  sentAt: m.sentAt?.toISOString() ?? null,
});

@Injectable()
export class OutboxService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Adds an email to the caller's transaction. It is sent only if that transaction commits; the
   * NOTIFY is delivered at commit too, so the relay wakes exactly when the row becomes visible.
   */
  async enqueue<T extends TemplateName>(
    manager: EntityManager,
    to: string,
    template: T,
    data: TemplateData[T],
  ): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive)
      throw new Error('OutboxService.enqueue needs the caller’s transaction');
    const rows = (await manager.query(
      `INSERT INTO outbox_messages (recipient, template, data) VALUES ($1, $2, $3) RETURNING id`,
      [to, template, JSON.stringify(data)],
    )) as { id: string }[];
    await manager.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
    return rows[0]!.id;
  }

  async list(status: OutboxStatus | undefined, limit: number, cursor?: string): Promise<Page<OutboxMessageView>> {
    const qb = this.dataSource.getRepository(OutboxMessage).createQueryBuilder('m');
    if (status) qb.andWhere('m.status = :status', { status });
    const page = await keysetPage(qb, CURSOR_KINDS.adminEmails, { limit, cursor });
    return { data: page.data.map(view), nextCursor: page.nextCursor };
  }

  /** Puts a dead message back in line with a fresh attempt budget. Only dead messages can be retried. */
  async retry(id: string): Promise<OutboxMessageView> {
    const rows = (await this.dataSource.query(
      `UPDATE outbox_messages
          SET status = 'pending', attempts = 0, dispatch_generation = dispatch_generation + 1, last_error = NULL, queued_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'dead'
        RETURNING id`,
      [id],
    )) as [{ id: string }[], number];
    if (rows[0].length === 0) {
      const exists = await this.dataSource.getRepository(OutboxMessage).findOneBy({ id });
      if (!exists) throw new NotFoundError('Email');
      throw new DomainError('invalid_state', `Only dead emails can be retried; this one is ${exists.status}`);
    }
    await this.dataSource.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
    return view(await this.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id }));
  }
}
