import { DynamicModule, Module, Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { loggerParams } from './common/logging/logging';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AccountsModule } from './accounts/accounts.module';
import { AppsWorkerModule } from './apps/apps-worker.module';
import { AccessLogWorkerModule } from './consents/access-log/access-log-worker.module';
import { AppsModule, AppsPortsModule } from './apps/apps.module';
import { AuditWorkerModule } from './audit/audit-worker.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ConsentsWorkerModule } from './consents/consents-worker.module';
import { ConsentsModule } from './consents/consents.module';
import { ConsentDecisionsModule } from './consents/decision/consent-decisions.module';
import { CustomersModule } from './customers/customers.module';
import { SandboxModule } from './customers/sandbox/sandbox.module';
import { HealthModule } from './health/health.module';
import { QueueBoardModule } from './health/queue-board';
import { ReviewWorkerModule } from './review/review-worker.module';
import { ReviewModule } from './review/review.module';
import { KycWorkerModule } from './kyc/kyc-worker.module';
import { KycModule } from './kyc/kyc.module';
import { NotificationsWorkerModule } from './notifications/notifications-worker.module';
import { NotificationsModule } from './notifications/notifications.module';
import { DevMailboxModule } from './notifications/dev-mailbox/dev-mailbox.module';
import { OAuthModule, OAuthPortsModule } from './oauth/oauth.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { QueueWorkerModule } from './queue/job-outbox';
import { QueueModule } from './queue/queue.module';
import { SchedulesWorkerModule } from './queue/schedule-keeper';
import { RedisModule } from './redis/redis.module';
import { SandboxApiModule } from './sandbox-api/sandbox-api.module';

/**
 * Modules whose controllers and services every role loads. `AppsPortsModule` binds the apps
 * area's implementations to the ports of KYC and review, `OAuthPortsModule` the OAuth area's to
 * the consents ports (see their docstrings).
 */
const DOMAIN_MODULES: Type[] = [
  HealthModule,
  AuditModule,
  NotificationsModule,
  AccountsModule,
  OrganisationsModule,
  KycModule,
  ReviewModule,
  AppsModule,
  AppsPortsModule,
  CustomersModule,
  ConsentsModule,
  OAuthModule,
  OAuthPortsModule,
];
/** Modules holding BullMQ processors and schedulers; loaded only by the `worker` and `all` roles. */
const WORKER_MODULES: Type[] = [
  QueueWorkerModule,
  SchedulesWorkerModule,
  NotificationsWorkerModule,
  AuditWorkerModule,
  KycWorkerModule,
  ReviewWorkerModule,
  AppsWorkerModule,
  ConsentsWorkerModule,
  AccessLogWorkerModule,
];

@Module({})
export class AppModule {
  /** `extra` lets the e2e harness mount test-only modules on the real application. */
  static forRoot(config: AppConfig, extra: Type[] = []): DynamicModule {
    const runsWorkers = config.role !== 'api';
    const servesHttp = config.role !== 'worker';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        DatabaseModule,
        RedisModule,
        QueueModule,
        // The guard's ports are bound statically in these modules (see src/auth/ports.ts).
        AuthModule.forRoot({
          sessionAuthenticator: AccountsModule,
          organisationMembership: OrganisationsModule,
          customerAuthenticator: CustomersModule,
        }),
        ...DOMAIN_MODULES,
        ...(runsWorkers ? WORKER_MODULES : []),
        // The decision point holds a replica of every active consent: only processes that answer HTTP need it.
        ...(servesHttp ? [ConsentDecisionsModule] : []),
        // Bull Board, the queues' health for admins, at /admin/queues.
        ...(servesHttp ? [QueueBoardModule] : []),
        // The synthetic sandbox bank and /dev/* must not exist in production (SPEC "Customers and the sandbox bank").
        ...(config.env === 'production' ? [] : [SandboxModule]),
        // The sandbox data API reads the sandbox bank through the decision point's replica: HTTP roles, outside production.
        ...(config.env !== 'production' && servesHttp ? [SandboxApiModule] : []),
        // The development mailbox: the .eml files written when no SMTP server is configured (404 when one is).
        ...(config.env !== 'production' && servesHttp ? [DevMailboxModule] : []),
        ...extra,
      ],
    };
  }
}
