import { within } from '../common/async/within';
import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConsentReplica, ReplicaStatus } from '../consents/decision/consent-replica';
import { DataSource } from 'typeorm';
import { REDIS } from '../redis/redis.module';
import { RedisClient } from '../redis/redis-options';
import { ScheduleRegistry } from '../queue/schedules';
import { JobOutboxBacklog, jobOutboxBacklog } from '../queue/job-outbox';

export type DependencyStatus = { status: 'up' } | { status: 'down'; error: string };

/**
 * Whether Redis holds every periodic job (src/queue/schedules.ts). `unknown` while Redis is down.
 * Informational: a missing schedule does not make the API unready (taking API processes out of
 * rotation would not bring it back; the worker re-registers it), but monitoring should alert on it.
 */
export type SchedulesStatus =
  { status: 'up' } | { status: 'missing'; missing: string[] } | { status: 'unknown'; error: string };

/**
 * The job outbox's backlog (src/queue/job-outbox.ts): rows parked after their last hand-off, and
 * the age in seconds of the oldest row still waiting. `unknown` while PostgreSQL is down.
 * Informational like `schedules`: monitoring alerts on parked > 0 or a growing age.
 */
export type JobOutboxStatus = ({ status: 'up' } & JobOutboxBacklog) | { status: 'unknown'; error: string };

export interface Readiness {
  status: 'ok' | 'unavailable';
  draining: boolean;
  checks: {
    postgres: DependencyStatus;
    redis: DependencyStatus;
    schedules: SchedulesStatus;
    jobOutbox: JobOutboxStatus;
    /**
     * The decision point's replica of consents (processes serving HTTP only). Informational: a
     * replica that is not current answers from PostgreSQL, so it does not make the process unready.
     */
    consentReplica?: ReplicaStatus;
  };
}

const CHECK_TIMEOUT_MS = 2_000;

const withTimeout = <T>(work: Promise<T>, what: string): Promise<T> =>
  within(work, CHECK_TIMEOUT_MS, `${what} did not answer within ${CHECK_TIMEOUT_MS} ms`);

async function probe(work: () => Promise<unknown>, what: string): Promise<DependencyStatus> {
  try {
    await withTimeout(work(), what);
    return { status: 'up' };
  } catch (e) {
    return { status: 'down', error: (e as Error).message };
  }
}

@Injectable()
export class HealthService {
  private draining = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly schedules: ScheduleRegistry,
    private readonly modules: ModuleRef,
  ) {}

  private replica: ConsentReplica | null | undefined;

  /** The replica when this process has one (role api or all), looked up once. */
  private consentReplica(): ConsentReplica | null {
    if (this.replica === undefined) {
      try {
        this.replica = this.modules.get(ConsentReplica, { strict: false });
      } catch {
        this.replica = null;
      }
    }
    return this.replica ?? null;
  }

  /** Called on SIGTERM so load balancers stop sending traffic while in-flight work finishes. */
  startDraining(): void {
    this.draining = true;
  }

  async readiness(): Promise<Readiness> {
    const [[postgres, jobOutbox], [redis, schedules]] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1'), 'PostgreSQL').then(
        async (p) => [p, await this.jobOutboxStatus(p)] as const,
      ),
      probe(() => this.redis.ping(), 'Redis').then(async (r) => [r, await this.scheduleStatus(r)] as const),
    ]);
    const ok = !this.draining && postgres.status === 'up' && redis.status === 'up';
    const replica = this.consentReplica();
    const checks: Readiness['checks'] = { postgres, redis, schedules, jobOutbox };
    if (replica) checks.consentReplica = replica.status();
    return { status: ok ? 'ok' : 'unavailable', draining: this.draining, checks };
  }

  private async jobOutboxStatus(postgres: DependencyStatus): Promise<JobOutboxStatus> {
    if (postgres.status !== 'up') return { status: 'unknown', error: 'PostgreSQL is down' };
    try {
      return { status: 'up', ...(await withTimeout(jobOutboxBacklog(this.dataSource), 'PostgreSQL (job outbox)')) };
    } catch (e) {
      return { status: 'unknown', error: (e as Error).message };
    }
  }

  private async scheduleStatus(redis: DependencyStatus): Promise<SchedulesStatus> {
    if (redis.status !== 'up') return { status: 'unknown', error: 'Redis is down' };
    try {
      const missing = await withTimeout(this.schedules.missing(), 'Redis (schedules)');
      return missing.length === 0 ? { status: 'up' } : { status: 'missing', missing };
    } catch (e) {
      return { status: 'unknown', error: (e as Error).message };
    }
  }
}
