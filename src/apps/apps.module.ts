import { Module } from '@nestjs/common';
import { KycModule } from '../kyc/kyc.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReviewModule } from '../review/review.module';
import { AppKeys } from './app-keys';
import { AppReviewsService } from './app-reviews.service';
import { AppSuspensionController, AppsController, CatalogueController } from './apps.controller';
import { AppsService } from './apps.service';
import { CertificatesService } from './ca/certificates.service';
import { ClientAuthService } from './credentials/client-auth.service';
import { CredentialsService } from './credentials/credentials.service';
import { IdempotencyService } from './idempotency/idempotency.service';
import { WebhooksService } from './webhooks/webhooks.service';

/** Apps, their production access, client secrets, client certificates and webhooks. */
@Module({
  imports: [NotificationsModule, KycModule, ReviewModule],
  controllers: [AppsController, CatalogueController, AppSuspensionController],
  providers: [AppKeys, AppsService, AppReviewsService, CredentialsService, ClientAuthService, CertificatesService, IdempotencyService, WebhooksService],
  exports: [AppsService, ClientAuthService, CertificatesService, IdempotencyService, WebhooksService],
})
export class AppsModule {}
