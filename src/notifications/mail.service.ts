import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { MailTransport, createMailTransport, isPermanentMailFailure } from './mail-transport';
import { OutboxMessage } from './outbox-message.entity';
import { SECRET_FIELDS, TemplateError, TemplateName, renderEmail } from './templates/catalogue';

export type DeliveryOutcome = 'sent' | 'already-done' | 'dead' | 'missing';

export class TransientMailError extends Error {}

/**
 * What a delivery attempt knows of earlier attempts of the same dispatch: `accepted` when an
 * earlier one had the message accepted by the SMTP server but could not record it; `remember`
 * notes such an acceptance where the next attempt will see it (the job's data).
 */
export interface SmtpAcceptance {
  accepted: boolean;
  remember?: () => Promise<unknown>;
}

/** The domain part of Message-IDs: the sender's domain, so receivers see consistent ids. */
function messageIdDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'gatehouse.local';
}

@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private readonly transport: MailTransport;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.transport = createMailTransport(config);
  }

  /** The same outbox row always yields the same Message-ID, so a receiver can spot a repeat. */
  messageIdFor(outboxId: string): string {
    return `<${outboxId}@${messageIdDomain(this.config.mail.from)}>`;
  }

  /**
   * Delivers one outbox row. Idempotent: a row already sent or dead is left alone. Permanent
   * failures mark the row dead and return; transient ones record the error and throw, so BullMQ
   * retries with backoff; `lastAttempt` turns the final transient failure into dead.
   *
   * Once the SMTP server has accepted the message, it is never sent again for this dispatch: if
   * recording `sent` fails (PostgreSQL unreachable), `acceptance.remember()` notes the acceptance
   * in the job before the error is thrown, and the retry (`acceptance.accepted`) only records it.
   * Without this, a database outage between the two sent the email twice (bench/faults.ts).
   */
  async deliver(
    outboxId: string,
    lastAttempt: boolean,
    acceptance: SmtpAcceptance = { accepted: false },
  ): Promise<DeliveryOutcome> {
    const repo = this.dataSource.getRepository(OutboxMessage);
    const message = await repo.findOneBy({ id: outboxId });
    if (!message) return 'missing';
    if (message.status === 'sent' || message.status === 'dead') return 'already-done';

    let rendered;
    try {
      rendered = renderEmail(message.template, message.data, { publicUrl: this.config.publicUrl });
    } catch (e) {
      if (e instanceof TemplateError) return this.markDead(outboxId, e.message);
      throw e;
    }

    if (!acceptance.accepted) {
      const failed = await this.send(outboxId, message, rendered, lastAttempt);
      if (failed) return failed;
    }

    // Tokens were needed only to write the email; once it is sent they leave the database.
    const secrets = SECRET_FIELDS[message.template as TemplateName] ?? [];
    try {
      await repo.query(
        `UPDATE outbox_messages SET status = 'sent', attempts = attempts + 1, sent_at = now(), updated_at = now(), last_error = NULL, data = data - $2::text[] WHERE id = $1`,
        [outboxId, secrets],
      );
    } catch (e) {
      await acceptance.remember?.();
      throw e;
    }
    return 'sent';
  }

  /** One SMTP transmission; undefined when the server accepted it, 'dead' when it never will; throws to retry. */
  private async send(
    outboxId: string,
    message: OutboxMessage,
    rendered: ReturnType<typeof renderEmail>,
    lastAttempt: boolean,
  ): Promise<'dead' | undefined> {
    try {
      await this.transport.send({
        from: this.config.mail.from,
        to: message.recipient,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId: this.messageIdFor(outboxId),
        headers: { 'X-Gatehouse-Template': message.template },
      });
    } catch (e) {
      const reason = (e as Error).message.slice(0, 500);
      if (isPermanentMailFailure(e)) return this.markDead(outboxId, reason);
      if (lastAttempt) return this.markDead(outboxId, `gave up after retries: ${reason}`);
      await this.dataSource.query(
        `UPDATE outbox_messages SET attempts = attempts + 1, last_error = $2, updated_at = now() WHERE id = $1`,
        [outboxId, reason],
      );
      throw new TransientMailError(reason);
    }
    return undefined;
  }

  private async markDead(outboxId: string, reason: string): Promise<'dead'> {
    this.logger.warn(`email ${outboxId} dead: ${reason}`);
    await this.dataSource.query(
      `UPDATE outbox_messages SET status = 'dead', attempts = attempts + 1, last_error = $2, updated_at = now() WHERE id = $1`,
      [outboxId, reason],
    );
    return 'dead';
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
