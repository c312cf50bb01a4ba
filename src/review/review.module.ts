import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { KycModule } from '../kyc/kyc.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { CaseViewsService } from './case-views.service';
import { KybDecisionsService } from './kyb-decisions.service';
import { OrganisationSuspensionsService } from './organisation-suspensions.service';
import { ReviewDecisionsService } from './review-decisions.service';
import { ReviewNotificationsService } from './review-notifications.service';
import { ReviewTasksService } from './review-tasks.service';
import { ReviewController } from './review.controller';

/**
 * The review queue: tasks, claims and leases (ReviewTasksService), decisions (ReviewDecisionsService,
 * KYB rules in KybDecisionsService), suspension, case views. `app` tasks are decided and shown by
 * the apps area through the APP_REVIEW_HANDLER port (bound in src/apps/apps.module.ts).
 */
@Module({
  imports: [AccountsModule, KycModule, NotificationsModule, OrganisationsModule],
  controllers: [ReviewController],
  providers: [
    ReviewTasksService,
    ReviewDecisionsService,
    KybDecisionsService,
    OrganisationSuspensionsService,
    CaseViewsService,
    ReviewNotificationsService,
  ],
  exports: [ReviewTasksService, ReviewNotificationsService],
})
export class ReviewModule {}
