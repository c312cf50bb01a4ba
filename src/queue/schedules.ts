import { Injectable, Logger } from '@nestjs/common';
import { JobQueueService } from './job-queue.service';
import { JOB_QUEUE, JobName, JobPayload } from './queue.registry';

/** Jobs that run on a schedule: they carry no payload. */
type ScheduledJob = { [N in JobName]: JobPayload<N> extends Record<string, never> ? N : never }[JobName];

export interface Schedule {
  /** BullMQ job scheduler id; one scheduler per id per deployment. */
  id: string;
  job: ScheduledJob;
  /** Interval between runs, in milliseconds. */
  everyMs: number;
}

/** Signed audit checkpoints every 10 minutes (docs/decisions.md, audit chain). */
export const AUDIT_CHECKPOINT_EVERY_MS = 10 * 60_000;

/**
 * Every periodic job of Gatehouse, in one list: the worker keeps each of them registered in
 * Redis (ScheduleKeeper) and readiness reports any that are missing. A schedule added anywhere
 * else would be lost for good the next time Redis comes back empty.
 */
export const SCHEDULES: readonly Schedule[] = [
  { id: 'audit-checkpoint', job: JobName.AuditCheckpoint, everyMs: AUDIT_CHECKPOINT_EVERY_MS },
  // Daily re-screening of approved organisations against the sanctions list.
  { id: 'sanctions-rescreen', job: JobName.SanctionsRescreen, everyMs: 24 * 3600_000 },
  // Reviewer digests, SLA alerts and expired claim leases.
  { id: 'review-notifications', job: JobName.ReviewNotifications, everyMs: 60_000 },
  // Webhook deliveries due are handed to the queue every 2 seconds.
  { id: 'webhooks-relay', job: JobName.WebhookRelay, everyMs: 2_000 },
  // Certificate expiry reminders and expired idempotency answers, hourly.
  { id: 'apps-maintenance', job: JobName.AppsMaintenance, everyMs: 3_600_000 },
  // Consent expiry, the 7-day emails, inactivity revocation and housekeeping, hourly: decisions already
  // deny a consent past its expiresAt, and the emails and the 30-day rule count in days, so an hour of
  // lag changes nothing a customer or an app sees, while each run stays a short scan of two indexes.
  { id: 'consents-maintenance', job: JobName.ConsentsMaintenance, everyMs: 3_600_000 },
  // Consent access log: next months' partitions created, months past retention dropped, daily.
  { id: 'access-log-partitions', job: JobName.AccessLogPartitions, everyMs: 24 * 3600_000 },
];

/** Compares the schedulers in Redis with SCHEDULES and re-creates the ones that are not there. */
@Injectable()
export class ScheduleRegistry {
  private readonly logger = new Logger(ScheduleRegistry.name);

  constructor(private readonly jobs: JobQueueService) {}

  /** Ids of the schedules Redis does not hold, or holds with another interval. Rejects when Redis does not answer. */
  async missing(): Promise<string[]> {
    const queues = [...new Set(SCHEDULES.map((s) => JOB_QUEUE[s.job]))];
    const present = new Map<string, number | undefined>();
    for (const queue of queues) {
      const job = SCHEDULES.find((s) => JOB_QUEUE[s.job] === queue)!.job;
      for (const s of await this.jobs.queueFor(job).getJobSchedulers(0, -1)) present.set(`${queue}/${s.key}`, s.every);
    }
    return SCHEDULES.filter((s) => present.get(`${JOB_QUEUE[s.job]}/${s.id}`) !== s.everyMs).map((s) => s.id);
  }

  /**
   * Registers every missing schedule (an upsert, so several workers doing it at once is harmless)
   * and returns the ids it registered. Present schedules are left alone: upserting them would move
   * their next run.
   */
  async ensure(): Promise<string[]> {
    const missing = await this.missing();
    for (const id of missing) {
      const s = SCHEDULES.find((x) => x.id === id)!;
      await this.jobs.queueFor(s.job).upsertJobScheduler(s.id, { every: s.everyMs }, { name: s.job, data: {} });
    }
    if (missing.length > 0) this.logger.log(`registered schedules: ${missing.join(', ')}`);
    return missing;
  }
}
