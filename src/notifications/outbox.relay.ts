import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { within } from '../common/async/within';
import { JobName, QueueName } from '../queue/queue.registry';
import { RelayLoop } from '../queue/relay-loop';
import { OUTBOX_CHANNEL } from './outbox.service';

const BATCH = 200;
const POLL_MS = 1_000;
const SWEEP_MS = 60_000;
const LOST_AFTER_MINUTES = 10;
const HANDOFF_TIMEOUT_MS = 5_000;

/** BullMQ job id of one dispatch of an outbox row; an admin retry starts a new generation. */
export const mailJobId = (outboxId: string, generation: number) => `mail-send-${outboxId}-${generation}`;

/**
 * Hands committed outbox rows to the mail queue. Rows are locked with FOR UPDATE SKIP LOCKED so
 * several workers share the work, and marked queued in the same transaction as the hand-off: if
 * Redis is down the transaction rolls back and the rows wait. Job ids come from the row id, so a
 * repeated hand-off (a crash between add and commit) is a no-op in BullMQ.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: Client;
  private stopped = false;
  private lastSweep = 0;
  private readonly loop = new RelayLoop('outbox relay', () => this.step(), {
    batch: BATCH,
    pollMs: POLL_MS,
    logger: this.logger,
  });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Mail) private readonly mailQueue: Queue,
  ) {}

  onApplicationBootstrap(): void {
    void this.listen();
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    await this.listener?.end().catch(() => undefined);
  }

  /** One hand-off of up to BATCH pending rows; returns how many were handed off. */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `SELECT id, dispatch_generation FROM outbox_messages WHERE status = 'pending' ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      )) as { id: string; dispatch_generation: number }[];
      if (rows.length === 0) return 0;
      await m.query(
        `UPDATE outbox_messages SET status = 'queued', queued_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])`,
        [rows.map((r) => r.id)],
      );
      await within(
        this.mailQueue.addBulk(
          rows.map((r) => ({
            name: JobName.SendEmail,
            data: { outboxId: r.id },
            opts: { jobId: mailJobId(r.id, r.dispatch_generation) },
          })),
        ),
        HANDOFF_TIMEOUT_MS,
        'hand-off to the mail queue timed out',
      );
      return rows.length;
    });
  }

  /**
   * Rows queued long ago whose job vanished (Redis lost its data) are queued again; rows whose job
   * failed outside the mail service (stalled too often) are marked dead for an admin to retry.
   */
  async sweepLost(): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT id, dispatch_generation FROM outbox_messages WHERE status = 'queued' AND queued_at < now() - make_interval(mins => $1) LIMIT $2`,
      [LOST_AFTER_MINUTES, BATCH],
    )) as { id: string; dispatch_generation: number }[];
    for (const r of rows) {
      const job = await this.mailQueue.getJob(mailJobId(r.id, r.dispatch_generation));
      if (!job) {
        await this.dataSource.query(
          `UPDATE outbox_messages SET status = 'pending', updated_at = now() WHERE id = $1 AND status = 'queued'`,
          [r.id],
        );
      } else if (await job.isFailed()) {
        await this.dataSource.query(
          `UPDATE outbox_messages SET status = 'dead', last_error = $2, updated_at = now() WHERE id = $1 AND status = 'queued'`,
          [r.id, `job failed: ${job.failedReason ?? 'unknown'}`],
        );
      }
    }
  }

  /** One turn of the loop: a batch, and now and then the sweep of lost rows. */
  private async step(): Promise<number> {
    const handedOff = await this.relayOnce();
    if (Date.now() - this.lastSweep > SWEEP_MS) {
      this.lastSweep = Date.now();
      await this.sweepLost();
    }
    return handedOff;
  }

  /** LISTEN makes hand-off immediate after a commit; the poll covers a lost connection. */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.config.database.url,
      application_name: 'gatehouse-outbox-listener',
    });
    client.on('notification', () => this.loop.wake());
    client.on('error', (e: Error) => {
      this.logger.warn(`outbox listener: ${e.message}`);
      client.end().catch(() => undefined);
      if (!this.stopped) setTimeout(() => void this.listen(), 2_000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
    } catch (e) {
      this.logger.warn(`outbox listener: ${(e as Error).message}`);
      await client.end().catch(() => undefined);
      if (!this.stopped) setTimeout(() => void this.listen(), 2_000).unref();
    }
  }
}
