import { Global, Module } from '@nestjs/common';
import { KycModule } from '../kyc/kyc.module';
import { ORGANISATION_STANDING_LISTENER } from '../kyc/verification/standing-listener';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { APP_REVIEW_HANDLER } from '../review/app-review-handler';
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
  imports: [NotificationsModule, OrganisationsModule, KycModule, ReviewModule],
  controllers: [AppsController, CatalogueController, AppSuspensionController],
  providers: [
    AppKeys,
    AppsService,
    AppReviewsService,
    CredentialsService,
    ClientAuthService,
    CertificatesService,
    IdempotencyService,
    WebhooksService,
  ],
  exports: [
    AppKeys,
    AppsService,
    AppReviewsService,
    ClientAuthService,
    CertificatesService,
    IdempotencyService,
    WebhooksService,
  ],
})
export class AppsModule {}

/**
 * The apps area's implementations of ports declared by lower areas, bound here and nowhere else:
 * review's `APP_REVIEW_HANDLER` and KYC's `ORGANISATION_STANDING_LISTENER`, both `AppReviewsService`.
 *
 * Why a separate global module: the review and KYC modules must not import AppsModule (apps sits
 * above them), and Nest lets a provider be seen outside its module only through an import or a
 * global module. This module is `@Global()`, exports just the two tokens (not AppsModule's
 * services), and is imported once by the composition root (src/app.module.ts). Importing
 * AppsModule here, rather than AppsModule importing this, keeps the module graph acyclic.
 */
@Global()
@Module({
  imports: [AppsModule],
  providers: [
    { provide: APP_REVIEW_HANDLER, useExisting: AppReviewsService },
    { provide: ORGANISATION_STANDING_LISTENER, useExisting: AppReviewsService },
  ],
  exports: [APP_REVIEW_HANDLER, ORGANISATION_STANDING_LISTENER],
})
export class AppsPortsModule {}
