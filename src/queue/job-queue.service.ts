import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { JobsOptions, Queue } from 'bullmq';
import { JOB_QUEUE, JobName, JobPayload, jobIdFor } from './queue.registry';

/** The only way product code adds jobs: typed payloads and deterministic ids. */
@Injectable()
export class JobQueueService {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly moduleRef: ModuleRef) {}

  queueFor(name: JobName): Queue {
    const queueName = JOB_QUEUE[name];
    let queue = this.queues.get(queueName);
    if (!queue) {
      queue = this.moduleRef.get<Queue>(getQueueToken(queueName), { strict: false });
      this.queues.set(queueName, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: Omit<JobsOptions, 'jobId'> & { jobId?: string } = {}): Promise<string> {
    const jobId = options.jobId ?? jobIdFor(name, payload);
    await this.queueFor(name).add(name, payload, { ...options, jobId });
    return jobId;
  }
}
