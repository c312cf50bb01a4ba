import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { queuePrefix } from '../redis/redis-options';
import { REDIS_QUEUE_CONNECTION, RedisQueueConnection } from '../redis/redis.module';
import { JobOutboxService } from './job-outbox';
import { JobQueueService } from './job-queue.service';
import { JobRegistryCheck } from './job-registry.check';
import { QUEUE_SETTINGS, QueueName } from './queue.registry';
import { ScheduleRegistry } from './schedules';

// Each queue's prefix comes from the configuration (a hash tag per queue in cluster mode); its
// workers (@Processor) take the prefix of the queue registered here.
const queues = Object.values(QueueName).map((name) =>
  BullModule.registerQueueAsync({
    name,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => ({
      prefix: queuePrefix(config.redis, name),
      defaultJobOptions: QUEUE_SETTINGS[name].jobOptions,
    }),
  }),
);

@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [REDIS_QUEUE_CONNECTION],
      useFactory: (connection: RedisQueueConnection) => ({ connection }),
    }),
    ...queues,
  ],
  providers: [JobQueueService, JobOutboxService, JobRegistryCheck, ScheduleRegistry],
  exports: [JobQueueService, JobOutboxService, JobRegistryCheck, ScheduleRegistry, ...queues],
})
export class QueueModule {}
