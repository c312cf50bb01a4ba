import { DefaultJobOptions, WorkerOptions } from 'bullmq';

/**
 * The typed job registry: every queue, every job name, and the payload each job carries.
 * Payloads carry ids only: Redis stores them in clear, so no personal data goes in here.
 */
export enum QueueName {
  Mail = 'mail',
  Checks = 'checks',
  Review = 'review',
  Maintenance = 'maintenance',
  Apps = 'apps',
  Consents = 'consents',
  AccessLog = 'access-log',
}

export enum JobName {
  SendEmail = 'mail.send',
  CheckDocument = 'checks.document',
  CheckOrganisation = 'checks.organisation',
  AuditCheckpoint = 'audit.checkpoint',
  SanctionsRescreen = 'sanctions.rescreen',
  ReviewNotifications = 'review.notifications',
  ReviewKybCase = 'review.kyb-case',
  WebhookDeliver = 'webhooks.deliver',
  WebhookRelay = 'webhooks.relay',
  AppsMaintenance = 'apps.maintenance',
  ConsentsMaintenance = 'consents.maintenance',
  AccessLogPartitions = 'access-log.partitions',
}

export interface JobPayloads {
  /** `smtpAccepted`: an earlier attempt had the message accepted but could not record it (MailService.deliver). */
  [JobName.SendEmail]: { outboxId: string; smtpAccepted?: boolean };
  /** `submission` pins the job to one submission: results of an earlier round never count for a later one. */
  [JobName.CheckDocument]: { documentId: string; submission: number };
  [JobName.CheckOrganisation]: { organisationId: string; submission: number };
  [JobName.AuditCheckpoint]: Record<string, never>;
  [JobName.SanctionsRescreen]: Record<string, never>;
  [JobName.ReviewNotifications]: Record<string, never>;
  /**
   * Announced by kyc (through the job outbox, in the transaction of the change) when a case needs a
   * reviewer: its checks completed (pending_review), or re-screening suspended it. Review opens the
   * kyb task unless one is already open.
   */
  [JobName.ReviewKybCase]: { organisationId: string; submission: number };
  /** One attempt of one delivery; the row decides whether it still runs. */
  [JobName.WebhookDeliver]: { deliveryId: string; attempt: number };
  [JobName.WebhookRelay]: Record<string, never>;
  /** Certificate expiry reminders and expired idempotency answers. */
  [JobName.AppsMaintenance]: Record<string, never>;
  /** Consent expiry, reminders, inactivity warnings and revocations, and housekeeping (ConsentSchedulersService). */
  [JobName.ConsentsMaintenance]: Record<string, never>;
  /** Creates the consent access log's coming monthly partitions and drops those past retention. */
  [JobName.AccessLogPartitions]: Record<string, never>;
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  [JobName.SendEmail]: QueueName.Mail,
  [JobName.CheckDocument]: QueueName.Checks,
  [JobName.CheckOrganisation]: QueueName.Checks,
  [JobName.AuditCheckpoint]: QueueName.Maintenance,
  [JobName.SanctionsRescreen]: QueueName.Checks,
  [JobName.ReviewNotifications]: QueueName.Review,
  [JobName.ReviewKybCase]: QueueName.Review,
  [JobName.WebhookDeliver]: QueueName.Apps,
  [JobName.WebhookRelay]: QueueName.Apps,
  [JobName.AppsMaintenance]: QueueName.Apps,
  [JobName.ConsentsMaintenance]: QueueName.Consents,
  [JobName.AccessLogPartitions]: QueueName.AccessLog,
};

export interface QueueSettings {
  /** Applied to every job added to the queue. */
  jobOptions: DefaultJobOptions;
  /** Jobs one worker process runs at once. */
  concurrency: number;
  /** Lock and stall detection: how soon a job of a crashed worker is picked up again. */
  worker?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
}

const keepCompleted = { age: 24 * 3600, count: 1000 };
const keepFailed = { age: 14 * 24 * 3600 };

/** One table of per-queue options: attempts, backoff and removal. */
export const QUEUE_SETTINGS: { readonly [Q in QueueName]: QueueSettings } = {
  [QueueName.Mail]: {
    // 11 attempts, exponential from 4 s: 4+8+…+2048 s ≈ 68 min in all before the row is dead.
    jobOptions: {
      attempts: 11,
      backoff: { type: 'exponential', delay: 4_000 },
      removeOnComplete: keepCompleted,
      removeOnFail: keepFailed,
    },
    concurrency: 20,
    // A killed worker's emails are resumed within ~15 s instead of the default minute.
    worker: { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 3 },
  },
  [QueueName.Checks]: {
    // 4 attempts, 2 s then 4 s then 8 s: a check that still cannot run records `error` and the case moves on.
    jobOptions: {
      attempts: 4,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: keepCompleted,
      removeOnFail: keepFailed,
    },
    concurrency: 8,
    worker: { lockDuration: 30_000, stalledInterval: 15_000, maxStalledCount: 2 },
  },
  [QueueName.Review]: {
    // 10 attempts, exponential from 5 s: 5+10+…+2560 s ≈ 85 min, so a database outage of minutes does
    // not fail a kyb-case announcement for good (and the every-minute repair opens any that still fails).
    jobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: keepFailed,
    },
    concurrency: 1,
  },
  [QueueName.Apps]: {
    // A delivery job makes one attempt; its own retries follow the 24-hour webhook schedule in the
    // database. These attempts only cover the job failing to record its outcome (database down).
    jobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: keepCompleted,
      removeOnFail: keepFailed,
    },
    concurrency: 10,
  },
  [QueueName.AccessLog]: {
    // Partition upkeep is idempotent and runs daily with months of slack: a few spaced retries suffice.
    jobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: keepFailed,
    },
    concurrency: 1,
  },
  [QueueName.Maintenance]: {
    jobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: keepFailed,
    },
    concurrency: 2,
  },
  [QueueName.Consents]: {
    // Every step is idempotent, so a failed run is simply retried: 5 attempts, 10 s then 20, 40, 80 s.
    // One job at a time per worker: the steps already work in batches, side by side with other workers.
    jobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: keepFailed,
    },
    concurrency: 1,
  },
};

/**
 * Deterministic job ids: the same logical job always gets the same id, so enqueueing it twice is
 * a no-op in BullMQ. BullMQ forbids ':' in custom ids.
 */
export function jobIdFor<N extends JobName>(name: N, payload: JobPayload<N>): string {
  const parts = Object.keys(payload)
    .sort()
    .map((k) => String((payload as unknown as Record<string, unknown>)[k]));
  return [name.replace(/[.:]/g, '-'), ...parts].join('-');
}
