import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
// Set by @Processor() of @nestjs/bullmq (bull.constants), which does not re-export it.
const PROCESSOR_METADATA = 'bullmq:processor_metadata';
import { JOB_HANDLER } from './job-handler.decorator';
import { JOB_QUEUE, JobName } from './queue.registry';

interface FoundHandler {
  jobName: string;
  processor: string;
  queue?: string;
}

/** Every registered @JobHandler in the application, with the queue its processor listens to. */
export function findJobHandlers(discovery: DiscoveryService, scanner: MetadataScanner): FoundHandler[] {
  const found: FoundHandler[] = [];
  for (const wrapper of discovery.getProviders()) {
    const instance = wrapper.instance as object | undefined;
    if (!instance || !wrapper.metatype) continue;
    const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
    const processorMeta = Reflect.getMetadata(PROCESSOR_METADATA, wrapper.metatype) as { name?: string } | undefined;
    for (const key of scanner.getAllMethodNames(proto)) {
      const jobName = Reflect.getMetadata(JOB_HANDLER, proto[key] as object) as string | undefined;
      if (jobName) found.push({ jobName, processor: wrapper.metatype.name, queue: processorMeta?.name });
    }
  }
  return found;
}

/** Problems with the registry: a job name with no handler, several, or one on the wrong queue. */
export function jobRegistryProblems(handlers: FoundHandler[]): string[] {
  const problems: string[] = [];
  for (const name of Object.values(JobName)) {
    const mine = handlers.filter((h) => h.jobName === name);
    if (mine.length === 0) problems.push(`job ${name} has no processor`);
    if (mine.length > 1)
      problems.push(`job ${name} has ${mine.length} processors: ${mine.map((h) => h.processor).join(', ')}`);
    for (const h of mine) {
      if (h.queue !== JOB_QUEUE[name])
        problems.push(
          `job ${name} belongs to queue ${JOB_QUEUE[name]} but ${h.processor} listens to ${h.queue ?? 'no queue'}`,
        );
    }
  }
  for (const h of handlers) {
    if (!(Object.values(JobName) as string[]).includes(h.jobName))
      problems.push(`${h.processor} handles unknown job ${h.jobName}`);
  }
  // Each queue has one processor class: two would both take jobs and fail the other's.
  const byQueue = new Map<string, Set<string>>();
  for (const h of handlers) if (h.queue) byQueue.set(h.queue, (byQueue.get(h.queue) ?? new Set()).add(h.processor));
  for (const [queue, processors] of byQueue)
    if (processors.size > 1) problems.push(`queue ${queue} has several processors: ${[...processors].join(', ')}`);
  return problems;
}

@Injectable()
export class JobRegistryCheck {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /** Throws when the worker's processors do not cover the registry exactly once. */
  assertComplete(): void {
    const problems = jobRegistryProblems(findJobHandlers(this.discovery, this.scanner));
    if (problems.length > 0)
      throw new Error(`Job registry is inconsistent:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
