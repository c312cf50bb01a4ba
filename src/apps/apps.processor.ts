import { Processor } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { JobDispatcher } from '../queue/job-dispatcher';
import { JobHandler } from '../queue/job-handler.decorator';
import { JobQueueService } from '../queue/job-queue.service';
import { JobName, JobPayload, QUEUE_SETTINGS, QueueName } from '../queue/queue.registry';
import { CertificatesService } from './ca/certificates.service';
import { IdempotencyService } from './idempotency/idempotency.service';
import { DeliveryOutcome, WebhooksService } from './webhooks/webhooks.service';

@Processor(QueueName.Apps, { concurrency: QUEUE_SETTINGS[QueueName.Apps].concurrency })
export class AppsProcessor extends JobDispatcher {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly certificates: CertificatesService,
    private readonly idempotency: IdempotencyService,
  ) {
    super();
  }

  @JobHandler(JobName.WebhookDeliver)
  deliver(payload: JobPayload<JobName.WebhookDeliver>, _job: Job): Promise<DeliveryOutcome> {
    return this.webhooks.deliver(payload.deliveryId, payload.attempt);
  }

  @JobHandler(JobName.WebhookRelay)
  relay(): Promise<number> {
    return this.webhooks.relayDue();
  }

  @JobHandler(JobName.AppsMaintenance)
  async maintain(): Promise<{ reminders: number; idempotencyPurged: number }> {
    return { reminders: await this.certificates.sendExpiryReminders(), idempotencyPurged: await this.idempotency.purgeExpired() };
  }
}

/** Webhooks due are handed to the queue every 2 seconds; reminders and clean-up run hourly. */
@Injectable()
export class AppsSchedule implements OnApplicationBootstrap {
  constructor(private readonly jobs: JobQueueService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.queueFor(JobName.WebhookRelay).upsertJobScheduler('webhooks-relay', { every: 2_000 }, { name: JobName.WebhookRelay, data: {} });
    await this.jobs.queueFor(JobName.AppsMaintenance).upsertJobScheduler('apps-maintenance', { every: 3_600_000 }, { name: JobName.AppsMaintenance, data: {} });
  }
}
