import { within } from '../common/async/within';
import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { JobsOptions, Queue } from 'bullmq';
import { JOB_QUEUE, JobName, JobPayload, QueueName, jobIdFor } from './queue.registry';

/** How long a request waits for Redis to take a job before leaving it to a dispatcher, in ms. */
export const REQUEST_ENQUEUE_WAIT_MS = 1_000;

/** The only way product code adds jobs: typed payloads and deterministic ids. */
@Injectable()
export class JobQueueService implements OnModuleInit {
  private readonly logger = new Logger(JobQueueService.name);
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * Connection errors of a queue (Redis down) are logged as warnings: without a listener BullMQ
   * prints every reconnect failure to stderr, unstructured.
   */
  onModuleInit(): void {
    for (const name of Object.values(QueueName)) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      queue.on('error', (e: Error) => this.logger.warn(`queue ${name} connection: ${e.message}`));
    }
  }

  queueFor(name: JobName): Queue {
    const queueName = JOB_QUEUE[name];
    let queue = this.queues.get(queueName);
    if (!queue) {
      queue = this.moduleRef.get<Queue>(getQueueToken(queueName), { strict: false });
      this.queues.set(queueName, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName>(
    name: N,
    payload: JobPayload<N>,
    options: Omit<JobsOptions, 'jobId'> & { jobId?: string } = {},
  ): Promise<string> {
    const jobId = options.jobId ?? jobIdFor(name, payload);
    await this.queueFor(name).add(name, payload, { ...options, jobId });
    return jobId;
  }

  /**
   * enqueue() for dispatchers that find in PostgreSQL work still to do: when the job of that id
   * already ran out of attempts (the database was down through all of them) and is kept as failed,
   * a plain add is a no-op and the work would wait for ever; that job is removed and added afresh,
   * with its first attempt and today's payload. Returns the job id.
   */
  async enqueueReplacingFailed<N extends JobName>(name: N, payload: JobPayload<N>): Promise<string> {
    const jobId = jobIdFor(name, payload);
    const existing = await this.queueFor(name).getJob(jobId);
    // Another dispatcher may remove it first (or it is locked): either way the add below settles it.
    if (existing && (await existing.isFailed())) await existing.remove().catch(() => undefined);
    return this.enqueue(name, payload);
  }

  /**
   * enqueue() for request paths: gives up waiting after `waitMs` and rejects, so no request hangs
   * while Redis is down (BullMQ's connection queues commands and retries for ~30 s). Only for jobs
   * a dispatcher re-enqueues from PostgreSQL: the add may still land when Redis returns, which the
   * deterministic job id makes a no-op beside the dispatcher's.
   */
  async enqueueWithin<N extends JobName>(
    waitMs: number,
    name: N,
    payload: JobPayload<N>,
    options: Omit<JobsOptions, 'jobId'> & { jobId?: string } = {},
  ): Promise<string> {
    const work = this.enqueue(name, payload, options);
    // A late rejection, after the wait has given up, is expected and not an unhandled one.
    work.catch(() => undefined);
    return within(work, waitMs, `Redis did not take job ${name} within ${waitMs} ms`);
  }
}
