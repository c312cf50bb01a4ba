import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { within } from '../common/async/within';
import { JobQueueService } from './job-queue.service';
import { REDIS } from '../redis/redis.module';
import { RedisClient } from '../redis/redis-options';
import { JOB_QUEUE, JobName, JobPayload, jobIdFor } from './queue.registry';
import { RelayLoop } from './relay-loop';

const BATCH = 100;
const POLL_MS = 250;
const HANDOFF_TIMEOUT_MS = 5_000;

/** BullMQ id of the job handed off for outbox row `id`: a repeated hand-off of the same row is a no-op. */
export const outboxJobId = <N extends JobName>(name: N, payload: JobPayload<N>, id: string): string =>
  `${jobIdFor(name, payload)}-o${id}`;

/**
 * How a lower area ANNOUNCES something to a higher one (docs/decisions.md, "Dependency directions"):
 * the job is written in the caller's transaction and exists only if that transaction commits.
 * Redis being down, or the process dying right after the commit, delays the job; it never loses it.
 */
@Injectable()
export class JobOutboxService {
  /** Adds `name(payload)` to the caller's transaction; throws when called outside one. */
  async enqueue<N extends JobName>(manager: EntityManager, name: N, payload: JobPayload<N>): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive)
      throw new Error('JobOutboxService.enqueue needs the caller’s transaction');
    await manager.query(`INSERT INTO job_outbox (name, payload) VALUES ($1, $2)`, [name, JSON.stringify(payload)]);
  }
}

/** Hand-offs of one row before it is parked (dead_at): about an hour of back-off in all (3423 s). */
export const OUTBOX_MAX_ATTEMPTS = 15;
/** Back-off after the n-th failed hand-off of a row: 2^(n-1) seconds, at most 10 minutes. */
export const outboxRetryDelaySeconds = (attempts: number): number => Math.min(2 ** Math.max(attempts - 1, 0), 600);
const ERROR_CHARS = 500;

interface OutboxRow {
  id: string;
  name: JobName;
  payload: JobPayload<JobName>;
  attempts: number;
}

/** What the job outbox holds that needs a human: rows parked for good, and how late the oldest waiting row is. */
export interface JobOutboxBacklog {
  parked: number;
  /** Seconds since the oldest row not yet handed off (parked ones left out) was written; null when none waits. */
  oldestPendingSeconds: number | null;
}

/** Reads the outbox's backlog for readiness details (src/health); by the database clock. */
export async function jobOutboxBacklog(dataSource: DataSource): Promise<JobOutboxBacklog> {
  const [row] = (await dataSource.query(
    `SELECT count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS parked,
            extract(epoch FROM now() - min(created_at) FILTER (WHERE dead_at IS NULL))::float8 AS oldest
       FROM job_outbox`,
  )) as { parked: number; oldest: number | null }[];
  return { parked: row!.parked, oldestPendingSeconds: row!.oldest === null ? null : Math.floor(row!.oldest) };
}

/**
 * Hands committed job_outbox rows to BullMQ (worker role). Rows are locked with FOR UPDATE SKIP
 * LOCKED, so several workers share them, and each is handed off on its own: a row BullMQ takes is
 * deleted; a row whose hand-off fails while Redis answers (an unknown job name, a payload the
 * queue refuses) records the attempt and its error and backs off, and after OUTBOX_MAX_ATTEMPTS is
 * parked, so one bad row never holds up the rows after it. When Redis itself does not answer the
 * batch stops without counting an attempt: an outage delays rows, it does not park them. When the
 * commit is lost after the add, the next hand-off of the row reuses its job id and BullMQ ignores it.
 */
@Injectable()
export class JobOutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobOutboxRelay.name);
  private readonly loop = new RelayLoop('job outbox relay', () => this.relayOnce(), {
    batch: BATCH,
    pollMs: POLL_MS,
    logger: this.logger,
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobQueueService,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One hand-off of up to BATCH due rows, oldest first; returns how many rows it settled (handed off or failed). */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `SELECT id, name, payload, attempts FROM job_outbox
          WHERE dead_at IS NULL AND next_attempt_at <= now()
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      )) as OutboxRow[];
      let settled = 0;
      for (const r of rows) {
        try {
          await this.handOff(r);
        } catch (e) {
          // Redis down or slow: not this row's fault. Keep what was handed off so far, retry the rest later.
          if (!(await this.redisAnswers())) {
            const reason = (e as Error).message;
            this.logger.warn(`job outbox relay: Redis does not answer (${reason}); rows wait in PostgreSQL`);
            return settled;
          }
          await this.recordFailure(m, r, e as Error);
          settled += 1;
          continue;
        }
        // Outside the catch: a database error aborts the transaction and must not count as the row's failure.
        await m.query(`DELETE FROM job_outbox WHERE id = $1`, [r.id]);
        settled += 1;
      }
      return settled;
    });
  }

  private async handOff(r: OutboxRow): Promise<void> {
    if (!Object.prototype.hasOwnProperty.call(JOB_QUEUE, r.name)) {
      throw new Error(`unknown job name ${JSON.stringify(String(r.name).slice(0, 64))}`);
    }
    const jobId = outboxJobId(r.name, r.payload, r.id);
    const handOff = this.jobs.enqueue(r.name, r.payload, { jobId });
    await within(handOff, HANDOFF_TIMEOUT_MS, `hand-off of ${r.name} timed out`);
  }

  private async redisAnswers(): Promise<boolean> {
    return within(this.redis.ping(), HANDOFF_TIMEOUT_MS, 'Redis ping timed out').then(
      () => true,
      () => false,
    );
  }

  /** Records the failed attempt; parks the row after the last one. The log names the row and job, never the payload. */
  private async recordFailure(m: EntityManager, r: OutboxRow, e: Error): Promise<void> {
    const attempts = r.attempts + 1;
    const parked = attempts >= OUTBOX_MAX_ATTEMPTS;
    const error = e.message.slice(0, ERROR_CHARS);
    await m.query(
      `UPDATE job_outbox SET attempts = $2, last_error = $3,
              next_attempt_at = now() + make_interval(secs => $4), dead_at = CASE WHEN $5 THEN now() END
        WHERE id = $1`,
      [r.id, attempts, error, outboxRetryDelaySeconds(attempts), parked],
    );
    const outcome = parked ? 'parked for good' : `retried in ${outboxRetryDelaySeconds(attempts)} s`;
    const what = `job outbox row ${r.id} (${String(r.name).slice(0, 64)})`;
    this.logger.error(`${what}: hand-off ${attempts}/${OUTBOX_MAX_ATTEMPTS} failed, ${outcome}: ${error}`);
  }
}

/** Worker role: runs the relay. (JobOutboxService itself is provided by the global QueueModule.) */
@Module({ providers: [JobOutboxRelay] })
export class QueueWorkerModule {}
