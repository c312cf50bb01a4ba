import { Module } from '@nestjs/common';
import { KycModule } from '../kyc/kyc.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReviewNotificationsService } from './review-notifications.service';
import { ReviewTasksService } from './review-tasks.service';
import { ReviewController } from './review.controller';

/** The review queue: tasks, claims, decisions, suspension. */
@Module({
  imports: [KycModule, NotificationsModule],
  controllers: [ReviewController],
  providers: [ReviewTasksService, ReviewNotificationsService],
  exports: [ReviewTasksService, ReviewNotificationsService],
})
export class ReviewModule {}
