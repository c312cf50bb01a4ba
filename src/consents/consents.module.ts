import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { AccessLogModule } from './access-log/access-log.module';
import { AppConsentsController } from './app-consents.controller';
import { ConsentsService } from './consents.service';
import { CustomerConsentsController } from './customer-consents.controller';

/**
 * Customer consents: the consent and its receipts, the customer API, the developer's view, the one
 * revocation path. OAuth (a higher layer) binds CONSENT_GRANT_REVOKER and ACCESS_TOKEN_RESOLVER
 * (ports.ts) from a global module of its own.
 */
@Module({
  imports: [AppsModule, NotificationsModule, AccessLogModule],
  controllers: [CustomerConsentsController, AppConsentsController],
  providers: [ConsentsService],
  exports: [ConsentsService, AccessLogModule],
})
export class ConsentsModule {}
