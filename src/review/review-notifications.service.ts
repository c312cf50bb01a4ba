import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UserDirectoryService } from '../accounts/user-directory.service';
import { OutboxService } from '../notifications/outbox.service';
import { ReviewTasksService } from './review-tasks.service';
import { DIGEST_EVERY_MS, SLA_ALERT_FRACTION } from './review.rules';

/**
 * Reviewer emails: a digest of new tasks (at most one per reviewer per 15 minutes) and an alert
 * when an unclaimed task has used 80 % of its SLA. Run every minute by the worker; each run is
 * idempotent (timestamps recorded in the same transaction as the outbox rows).
 */
@Injectable()
export class ReviewNotificationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly tasks: ReviewTasksService,
    private readonly users: UserDirectoryService,
  ) {}

  async run(now = new Date()): Promise<{ digests: number; slaAlerts: number; leasesReleased: number }> {
    const leasesReleased = await this.tasks.releaseExpiredLeases();
    return { digests: await this.sendDigests(now), slaAlerts: await this.sendSlaAlerts(now), leasesReleased };
  }

  private async sendDigests(now: Date): Promise<number> {
    let sent = 0;
    for (const reviewer of await this.users.activeReviewers()) {
      sent += await this.dataSource.transaction(async (m) => {
        await m.query(
          `INSERT INTO reviewer_digests (user_id, last_sent_at) VALUES ($1, to_timestamp(0)) ON CONFLICT DO NOTHING`,
          [reviewer.id],
        );
        const [state] = (await m.query(`SELECT last_sent_at FROM reviewer_digests WHERE user_id = $1 FOR UPDATE`, [
          reviewer.id,
        ])) as { last_sent_at: Date }[];
        if (now.getTime() - state!.last_sent_at.getTime() < DIGEST_EVERY_MS) return 0;
        const [{ n }] = (await m.query(
          `SELECT count(*)::int AS n FROM review_tasks WHERE status = 'pending' AND created_at > $1`,
          [state!.last_sent_at],
        )) as { n: number }[];
        if (n === 0) return 0;
        await this.outbox.enqueue(m, reviewer.email, 'review-digest', { newTasks: n });
        await m.query(`UPDATE reviewer_digests SET last_sent_at = $2 WHERE user_id = $1`, [reviewer.id, now]);
        return 1;
      });
    }
    return sent;
  }

  private async sendSlaAlerts(now: Date): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const tasks = (await m.query(
        `SELECT id, type, due_at FROM review_tasks
          WHERE status = 'pending' AND sla_alerted_at IS NULL
            AND created_at + (due_at - created_at) * $1::float8 <= $2
          FOR UPDATE SKIP LOCKED`,
        [SLA_ALERT_FRACTION, now],
      )) as { id: string; type: string; due_at: Date }[];
      if (tasks.length === 0) return 0;
      const reviewers = await this.users.activeReviewers(m);
      for (const task of tasks) {
        for (const r of reviewers)
          await this.outbox.enqueue(m, r.email, 'sla-at-risk', {
            taskId: task.id,
            taskType: task.type,
            dueAt: task.due_at.toISOString(),
          });
        await m.query(`UPDATE review_tasks SET sla_alerted_at = $2 WHERE id = $1`, [task.id, now]);
      }
      return tasks.length;
    });
  }
}
