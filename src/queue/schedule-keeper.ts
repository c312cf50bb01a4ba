import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { RedisClient } from '../redis/redis-options';
import { ScheduleRegistry } from './schedules';

/**
 * Keeps every schedule of SCHEDULES registered while the worker runs. Redis restarted without
 * its data loses the schedulers, and nothing else would bring them back before a worker restart:
 * so they are re-registered when the Redis connection becomes ready again, and a periodic check
 * (SCHEDULE_CHECK_SECONDS) catches any other loss (a flush, a failover to an empty replica).
 */
@Injectable()
export class ScheduleKeeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleKeeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private pending?: string;
  private readonly onReady = () => void this.check('Redis connection ready');

  constructor(
    private readonly schedules: ScheduleRegistry,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.check('start-up');
    this.redis.on('ready', this.onReady);
    this.timer = setInterval(() => void this.check('periodic check'), this.config.queue.scheduleCheckMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.redis.off('ready', this.onReady);
    await this.running;
  }

  /**
   * One comparison and repair; never two at once, and never throws (the next trigger retries). A
   * trigger arriving during a run (Redis back while a check still waited on it) runs once more after.
   */
  check(reason: string): Promise<void> {
    if (this.running) {
      this.pending = reason;
      return this.running;
    }
    this.running = (async () => {
      for (let next: string | undefined = reason; next !== undefined;) {
        this.pending = undefined;
        await this.repair(next);
        next = this.pending;
      }
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async repair(reason: string): Promise<void> {
    try {
      const registered = await this.schedules.ensure();
      if (registered.length > 0 && reason !== 'start-up') {
        this.logger.warn(`schedules were missing from Redis, registered again (${reason}): ${registered.join(', ')}`);
      }
    } catch (e) {
      this.logger.warn(`schedules not checked (${reason}): ${(e as Error).message}`);
    }
  }
}

/** Worker role: keeps the periodic jobs registered. */
@Module({ providers: [ScheduleKeeper] })
export class SchedulesWorkerModule {}
