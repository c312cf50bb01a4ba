import { Processor } from '@nestjs/bullmq';
import { JobDispatcher } from '../queue/job-dispatcher';
import { JobHandler } from '../queue/job-handler.decorator';
import { JobName, JobPayload, QUEUE_SETTINGS, QueueName } from '../queue/queue.registry';
import { KybCasesService } from './kyb-cases.service';
import { ReviewNotificationsService } from './review-notifications.service';

@Processor(QueueName.Review, { concurrency: QUEUE_SETTINGS[QueueName.Review].concurrency })
export class ReviewProcessor extends JobDispatcher {
  constructor(
    private readonly notifications: ReviewNotificationsService,
    private readonly kybCases: KybCasesService,
  ) {
    super();
  }

  @JobHandler(JobName.ReviewKybCase)
  async openKybCase(payload: JobPayload<JobName.ReviewKybCase>): Promise<{ taskId: string | null }> {
    return { taskId: (await this.kybCases.open(payload.organisationId, payload.submission)) ?? null };
  }

  /**
   * Every minute: first opens the kyb tasks whose announcement was lost (so the digest counts
   * them), then the reviewer emails and expired leases.
   */
  @JobHandler(JobName.ReviewNotifications)
  async notify(): Promise<{ kybCasesOpened: number; digests: number; slaAlerts: number; leasesReleased: number }> {
    const kybCasesOpened = (await this.kybCases.openMissing()).length;
    return { kybCasesOpened, ...(await this.notifications.run()) };
  }
}
