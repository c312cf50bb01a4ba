import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { JobDispatcher } from '../queue/job-dispatcher';
import { JobHandler } from '../queue/job-handler.decorator';
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
    return {
      reminders: await this.certificates.sendExpiryReminders(),
      idempotencyPurged: await this.idempotency.purgeExpired(),
    };
  }
}
