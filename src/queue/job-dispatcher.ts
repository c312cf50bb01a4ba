import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { JOB_HANDLER } from './job-handler.decorator';

/**
 * Base for a queue's processor: routes each job to the method decorated with @JobHandler for its
 * name. Thin by design — handlers unpack the payload and call a service.
 */
export abstract class JobDispatcher extends WorkerHost {
  protected readonly logger = new Logger(this.constructor.name);
  private handlers?: Map<string, (payload: unknown, job: Job) => Promise<unknown>>;

  async process(job: Job): Promise<unknown> {
    const handler = this.handlerMap().get(job.name);
    if (!handler) throw new Error(`no handler for job ${job.name} on ${this.constructor.name}`);
    return handler(job.data, job);
  }

  private handlerMap() {
    if (!this.handlers) {
      this.handlers = new Map();
      const proto = Object.getPrototypeOf(this) as Record<string, unknown>;
      for (const key of Object.getOwnPropertyNames(proto)) {
        const method = proto[key];
        if (typeof method !== 'function') continue;
        const name = Reflect.getMetadata(JOB_HANDLER, method) as string | undefined;
        if (name) this.handlers.set(name, (method as (p: unknown, j: Job) => Promise<unknown>).bind(this));
      }
    }
    return this.handlers;
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.warn(`worker connection: ${error.message}`);
  }
}
