import { Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { within } from '../common/async/within';
import { JobQueueService } from './job-queue.service';
import { JobName, JobPayload, jobIdFor } from './queue.registry';
import { RelayLoop } from './relay-loop';

const BATCH = 100;
const POLL_MS = 250;
const HANDOFF_TIMEOUT_MS = 5_000;

/** BullMQ id of the job handed off for outbox row `id`: a repeated hand-off of the same row is a no-op. */
export const outboxJobId = <N extends JobName>(name: N, payload: JobPayload<N>, id: string): string => `${jobIdFor(name, payload)}-o${id}`;

/**
 * How a lower area ANNOUNCES something to a higher one (docs/decisions.md, "Dependency directions"):
 * the job is written in the caller's transaction and exists only if that transaction commits.
 * Redis being down, or the process dying right after the commit, delays the job; it never loses it.
 */
@Injectable()
export class JobOutboxService {
  /** Adds `name(payload)` to the caller's transaction; throws when called outside one. */
  async enqueue<N extends JobName>(manager: EntityManager, name: N, payload: JobPayload<N>): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) throw new Error('JobOutboxService.enqueue needs the caller’s transaction');
    await manager.query(`INSERT INTO job_outbox (name, payload) VALUES ($1, $2)`, [name, JSON.stringify(payload)]);
  }
}

/**
 * Hands committed job_outbox rows to BullMQ (worker role). Rows are locked with FOR UPDATE SKIP
 * LOCKED, so several workers share them, and deleted in the transaction of the hand-off: when Redis
 * is down the transaction rolls back and the rows wait; when the commit is lost after the add, the
 * next hand-off of the row reuses its job id and BullMQ ignores it.
 */
@Injectable()
export class JobOutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobOutboxRelay.name);
  private readonly loop = new RelayLoop('job outbox relay', () => this.relayOnce(), { batch: BATCH, pollMs: POLL_MS, logger: this.logger });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobQueueService,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One hand-off of up to BATCH rows, oldest first; returns how many were handed off. */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(`SELECT id, name, payload FROM job_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [BATCH])) as {
        id: string;
        name: JobName;
        payload: JobPayload<JobName>;
      }[];
      if (rows.length === 0) return 0;
      await m.query(`DELETE FROM job_outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      for (const r of rows) {
        await within(this.jobs.enqueue(r.name, r.payload, { jobId: outboxJobId(r.name, r.payload, r.id) }), HANDOFF_TIMEOUT_MS, `hand-off of ${r.name} timed out`);
      }
      return rows.length;
    });
  }
}

/** Worker role: runs the relay. (JobOutboxService itself is provided by the global QueueModule.) */
@Module({ providers: [JobOutboxRelay] })
export class QueueWorkerModule {}
