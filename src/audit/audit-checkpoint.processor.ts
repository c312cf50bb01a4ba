import { Processor } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JobDispatcher } from '../queue/job-dispatcher';
import { JobHandler } from '../queue/job-handler.decorator';
import { JobName, QUEUE_SETTINGS, QueueName } from '../queue/queue.registry';
import { JobQueueService } from '../queue/job-queue.service';
import { AuditService } from './audit.service';

export const AUDIT_CHECKPOINT_EVERY_MS = 10 * 60 * 1000;

@Processor(QueueName.Maintenance, { concurrency: QUEUE_SETTINGS[QueueName.Maintenance].concurrency })
export class AuditCheckpointProcessor extends JobDispatcher {
  constructor(private readonly audit: AuditService) {
    super();
  }

  @JobHandler(JobName.AuditCheckpoint)
  async checkpoint(): Promise<{ lastId: string }> {
    const checkpoint = await this.audit.writeCheckpoint();
    return { lastId: checkpoint.lastId };
  }
}

/** Registers the periodic checkpoint once per deployment (BullMQ job schedulers are upserts). */
@Injectable()
export class AuditCheckpointSchedule implements OnApplicationBootstrap {
  constructor(private readonly jobs: JobQueueService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.queueFor(JobName.AuditCheckpoint).upsertJobScheduler('audit-checkpoint', { every: AUDIT_CHECKPOINT_EVERY_MS }, { name: JobName.AuditCheckpoint, data: {} });
  }
}
