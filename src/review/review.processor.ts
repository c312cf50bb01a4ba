import { Processor } from '@nestjs/bullmq';
import { JobDispatcher } from '../queue/job-dispatcher';
import { JobHandler } from '../queue/job-handler.decorator';
import { JobName, QUEUE_SETTINGS, QueueName } from '../queue/queue.registry';
import { ReviewNotificationsService } from './review-notifications.service';

@Processor(QueueName.Review, { concurrency: QUEUE_SETTINGS[QueueName.Review].concurrency })
export class ReviewProcessor extends JobDispatcher {
  constructor(private readonly notifications: ReviewNotificationsService) {
    super();
  }

  @JobHandler(JobName.ReviewNotifications)
  notify(): Promise<{ digests: number; slaAlerts: number; leasesReleased: number }> {
    return this.notifications.run();
  }
}
