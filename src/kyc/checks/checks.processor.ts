import { Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job } from 'bullmq';
import { JobDispatcher } from '../../queue/job-dispatcher';
import { JobHandler } from '../../queue/job-handler.decorator';
import { JobName, JobPayload, QUEUE_SETTINGS, QueueName } from '../../queue/queue.registry';
import { ChecksService } from './checks.service';

const lastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

@Processor(QueueName.Checks, {
  concurrency: QUEUE_SETTINGS[QueueName.Checks].concurrency,
  ...QUEUE_SETTINGS[QueueName.Checks].worker,
})
export class ChecksProcessor extends JobDispatcher {
  constructor(private readonly checks: ChecksService) {
    super();
  }

  @JobHandler(JobName.CheckDocument)
  async checkDocument(payload: JobPayload<JobName.CheckDocument>, job: Job): Promise<void> {
    await this.checks.runDocument(payload.documentId, payload.submission, lastAttempt(job));
  }

  @JobHandler(JobName.CheckOrganisation)
  async checkOrganisation(payload: JobPayload<JobName.CheckOrganisation>, job: Job): Promise<void> {
    await this.checks.runOrganisation(payload.organisationId, payload.submission, lastAttempt(job));
  }

  @JobHandler(JobName.SanctionsRescreen)
  async rescreen(): Promise<{ screened: number; hits: number }> {
    const result = await this.checks.rescreenApproved();
    return { screened: result.screened, hits: result.hits.length };
  }
}

const DISPATCH_EVERY_MS = 1_000;

/**
 * Finds submissions waiting for checks and enqueues their jobs (ids derived from the subject and
 * the submission number, so a repeat is a no-op). Polling PostgreSQL means nothing is lost if
 * Redis was down when the developer submitted. (The daily re-screening is in src/queue/schedules.ts.)
 */
@Injectable()
export class ChecksDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChecksDispatcher.name);
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly checks: ChecksService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), DISPATCH_EVERY_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.checks.dispatchPending();
    } catch (e) {
      this.logger.warn(`check dispatch: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
