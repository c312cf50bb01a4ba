import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { redisOptionsFromUrl } from '../redis/redis-options';
import { JobOutboxService } from './job-outbox';
import { JobQueueService } from './job-queue.service';
import { JobRegistryCheck } from './job-registry.check';
import { QUEUE_SETTINGS, QueueName } from './queue.registry';
import { ScheduleRegistry } from './schedules';

const queues = Object.values(QueueName).map((name) =>
  BullModule.registerQueue({ name, defaultJobOptions: QUEUE_SETTINGS[name].jobOptions }),
);

@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: redisOptionsFromUrl(config.redis.url),
        prefix: config.redis.prefix,
      }),
    }),
    ...queues,
  ],
  providers: [JobQueueService, JobOutboxService, JobRegistryCheck, ScheduleRegistry],
  exports: [JobQueueService, JobOutboxService, JobRegistryCheck, ScheduleRegistry, ...queues],
})
export class QueueModule {}
