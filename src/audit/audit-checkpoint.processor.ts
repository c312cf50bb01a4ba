import { Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JobDispatcher } from '../queue/job-dispatcher';
import { JobHandler } from '../queue/job-handler.decorator';
import { JobName, QUEUE_SETTINGS, QueueName } from '../queue/queue.registry';
import { AuditService } from './audit.service';

// Scheduled every 10 minutes by src/queue/schedules.ts, with every other periodic job.

@Processor(QueueName.Maintenance, { concurrency: QUEUE_SETTINGS[QueueName.Maintenance].concurrency })
export class AuditCheckpointProcessor extends JobDispatcher {
  constructor(private readonly audit: AuditService) {
    super();
  }

  @JobHandler(JobName.AuditCheckpoint)
  async checkpoint(): Promise<{ lastId: string }> {
    const checkpoint = await this.audit.writeCheckpoint();
    return { lastId: checkpoint.lastId };
  }
}

/** Links queued audit events (claims, releases) into the chain every half second. */
@Injectable()
export class AuditChainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditChainer.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly audit: AuditService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.drain().finally(() => (this.running = undefined));
    }, 500);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while ((await this.audit.chainQueued()) === 500);
    } catch (e) {
      this.logger.warn(`audit chaining: ${(e as Error).message}`);
    }
  }
}
