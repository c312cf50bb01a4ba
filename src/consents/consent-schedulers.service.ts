import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { OutboxService } from '../notifications/outbox.service';
import { JobName } from '../queue/queue.registry';
import { DAY_MS } from './consent';
import { ConsentsService, EndingCause } from './consents.service';

/** Who the audit log names for everything the schedulers do: the job itself. */
export const CONSENTS_JOB_ACTOR = { type: 'system', id: JobName.ConsentsMaintenance } as const;

/** The customer is emailed this many days before an expiry and before an inactivity revocation (SPEC). */
export const CONSENT_NOTICE_DAYS = 7;
/** Feed entries older than this are deleted (the newest one is always kept). */
export const CONSENT_CHANGES_KEPT_MS = DAY_MS;

/**
 * Consents ended per transaction. Each end appends to the audit chain and to the consent change
 * feed, both single-row locks held until commit, so a batch is kept short for the writers waiting.
 */
const END_BATCH = 100;
/** Reminders and warnings per transaction: one UPDATE and one outbox row each. */
const EMAIL_BATCH = 500;
/** Feed rows and expired records deleted per statement. */
const DELETE_BATCH = 5_000;
const RECORD_BATCH = 500;

/**
 * The statements that find due consents, exported so a spec can EXPLAIN them: each must range-scan
 * a partial index of active consents (`consents_active_expiry_idx`, `consents_active_use_idx`), not
 * the table. Every one locks what it takes with SKIP LOCKED, so workers running side by side share
 * the work instead of waiting on or repeating each other. They order by the indexed expression
 * alone, so a batch stops after LIMIT rows of the index instead of sorting the whole backlog.
 */
export const DUE_SQL = {
  /** $1 now, $2 batch size. */
  expired: `
    SELECT id FROM consents
     WHERE status = 'active' AND expires_at <= $1
     ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
  /** $1 now, $2 batch size, $3 idle cutoff (now - CONSENT_INACTIVITY_DAYS). */
  inactive: `
    SELECT id FROM consents
     WHERE status = 'active' AND COALESCE(last_used_at, created_at) <= $3 AND expires_at > $1
     ORDER BY COALESCE(last_used_at, created_at) LIMIT $2 FOR UPDATE SKIP LOCKED`,
  /**
   * $1 now, $2 batch size, $3 notice days. Only consents that lived through the whole notice period
   * (a consent granted for 5 days is not "ending soon" news to the customer who just chose it).
   */
  expiring: `
    WITH due AS (
      SELECT id FROM consents
       WHERE status = 'active' AND expires_at > $1 AND expires_at <= $1::timestamptz + make_interval(days => $3)
         AND expiry_reminder_sent_at IS NULL AND created_at <= expires_at - make_interval(days => $3)
       ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
    UPDATE consents c SET expiry_reminder_sent_at = $1
      FROM due, apps a, organisations o, customers cu
     WHERE c.id = due.id AND c.expiry_reminder_sent_at IS NULL
       AND a.id = c.app_id AND o.id = a.organisation_id AND cu.id = c.customer_id
    RETURNING c.id, c.expires_at, a.name AS app_name, o.legal_name AS organisation_name, cu.email`,
  /**
   * $1 now, $2 batch size, $3 idle cutoff (now - (inactivity - notice) days), $4 inactivity days,
   * $5 (inactivity - notice) days. A warning counts for the idle period it was sent in: once the app
   * uses the consent again, the next idle period's warning moment lies after it, so it warns again.
   * A consent that expires before its inactivity revocation is not warned (its expiry reminder says it).
   */
  idle: `
    WITH due AS (
      SELECT id FROM consents
       WHERE status = 'active' AND COALESCE(last_used_at, created_at) <= $3
         AND (inactivity_warning_sent_at IS NULL
              OR inactivity_warning_sent_at < COALESCE(last_used_at, created_at) + make_interval(days => $5))
         AND expires_at > COALESCE(last_used_at, created_at) + make_interval(days => $4)
       ORDER BY COALESCE(last_used_at, created_at) LIMIT $2 FOR UPDATE SKIP LOCKED)
    UPDATE consents c SET inactivity_warning_sent_at = $1
      FROM due, apps a, organisations o, customers cu
     WHERE c.id = due.id AND a.id = c.app_id AND o.id = a.organisation_id AND cu.id = c.customer_id
    RETURNING c.id, COALESCE(c.last_used_at, c.created_at) AS idle_since, c.last_used_at IS NOT NULL AS used,
              a.name AS app_name,
              o.legal_name AS organisation_name, cu.email`,
  /** $1 ended-before cutoff, $2 batch size. */
  pastRetention: `
    SELECT id FROM consents
     WHERE status <> 'active' AND revoked_at < $1
     ORDER BY revoked_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
} as const;

/** What one run did, by step; counts only (no ids, no personal data: it is logged). */
export interface ConsentMaintenanceResult {
  expired: number;
  revokedForInactivity: number;
  expiryReminders: number;
  inactivityWarnings: number;
  changesDeleted: number;
  recordsDeleted: number;
}

interface NoticeRow {
  id: string;
  app_name: string;
  organisation_name: string;
  email: string | null;
}

/**
 * The consent schedulers (SPEC "Customer consents", Schedulers), run hourly by the worker
 * (`consents.maintenance`, src/queue/schedules.ts). Every step takes the clock as `now`, works in
 * bounded batches, one transaction each, and is idempotent: run twice, or by two workers at once,
 * it ends, emails and deletes each thing once. Consents end only through `ConsentsService.end`
 * (audit entry, webhook, the customer's email, change feed); emails go only through the outbox.
 */
@Injectable()
export class ConsentSchedulersService {
  private readonly logger = new Logger(ConsentSchedulersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly consents: ConsentsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Every step, in an order that spares the customer mail about what is already over: consents are
   * ended first, so no reminder or warning goes out for one that ends in the same run.
   */
  async run(now: Date): Promise<ConsentMaintenanceResult> {
    const result: ConsentMaintenanceResult = {
      expired: await this.expire(now),
      revokedForInactivity: await this.revokeInactive(now),
      expiryReminders: await this.remindExpiring(now),
      inactivityWarnings: await this.warnInactive(now),
      changesDeleted: await this.deleteOldChanges(now),
      recordsDeleted: await this.deleteRecordsPastRetention(now),
    };
    if (Object.values(result).some((n) => n > 0)) this.logger.log(`consents maintenance: ${JSON.stringify(result)}`);
    return result;
  }

  /** Ends, as `expired` (revokedBy `expiry`), every active consent whose `expiresAt` is at or before `now`. */
  expire(now: Date): Promise<number> {
    return this.endDue(DUE_SQL.expired, [now, END_BATCH], now, {
      by: 'expiry',
      reason: 'Reached the end date the customer agreed to',
      actor: CONSENTS_JOB_ACTOR,
    });
  }

  /**
   * Revokes (revokedBy `inactivity`) every active consent unused for CONSENT_INACTIVITY_DAYS: last
   * used, or if never used created, at or before `now` minus that many days. One past its expiry is
   * left to `expire`.
   */
  revokeInactive(now: Date): Promise<number> {
    const days = this.config.consents.inactivityDays;
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    return this.endDue(DUE_SQL.inactive, [now, END_BATCH, cutoff], now, {
      by: 'inactivity',
      reason: `Unused for ${days} days`,
      actor: CONSENTS_JOB_ACTOR,
    });
  }

  /**
   * Emails `consent-expiring` once per consent whose expiry is within CONSENT_NOTICE_DAYS of `now`,
   * and marks `expiry_reminder_sent_at` in the same statement (a consent without a customer email is
   * marked all the same). Returns how many consents were marked.
   */
  remindExpiring(now: Date): Promise<number> {
    return this.noticeDue(DUE_SQL.expiring, [now, EMAIL_BATCH, CONSENT_NOTICE_DAYS], async (m, row) => {
      const r = row as NoticeRow & { expires_at: Date };
      if (!r.email) return;
      await this.outbox.enqueue(m, r.email, 'consent-expiring', {
        appName: r.app_name,
        organisationName: r.organisation_name,
        consentId: r.id,
        expiresAt: r.expires_at.toISOString(),
      });
    });
  }

  /**
   * Emails `consent-inactivity-warning` once per idle period, CONSENT_NOTICE_DAYS before the
   * inactivity revocation, and marks `inactivity_warning_sent_at`. Nothing when
   * CONSENT_INACTIVITY_DAYS is not longer than the notice: the warning would come at the grant.
   */
  warnInactive(now: Date): Promise<number> {
    const days = this.config.consents.inactivityDays;
    const warnAfterDays = days - CONSENT_NOTICE_DAYS;
    if (warnAfterDays <= 0) return Promise.resolve(0);
    const cutoff = new Date(now.getTime() - warnAfterDays * DAY_MS);
    return this.noticeDue(DUE_SQL.idle, [now, EMAIL_BATCH, cutoff, days, warnAfterDays], async (m, row) => {
      const r = row as NoticeRow & { idle_since: Date; used: boolean };
      if (!r.email) return;
      await this.outbox.enqueue(m, r.email, 'consent-inactivity-warning', {
        appName: r.app_name,
        organisationName: r.organisation_name,
        consentId: r.id,
        idleSince: r.idle_since.toISOString(),
        used: r.used,
        inactivityDays: days,
        revokeOn: new Date(r.idle_since.getTime() + days * DAY_MS).toISOString(),
      });
    });
  }

  /**
   * Deletes change-feed rows older than a day (CONSENT_CHANGES_KEPT_MS before `now`), always keeping
   * the newest. A replica further behind than that reloads every consent instead of catching up.
   */
  async deleteOldChanges(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - CONSENT_CHANGES_KEPT_MS);
    let deleted = 0;
    for (;;) {
      const [, n] = (await this.dataSource.query(
        `DELETE FROM consent_changes WHERE seq IN (
           SELECT seq FROM consent_changes
            WHERE changed_at < $1 AND seq < (SELECT max(seq) FROM consent_changes)
            ORDER BY seq LIMIT $2)`,
        [cutoff, DELETE_BATCH],
      )) as [unknown, number];
      deleted += n;
      if (n < DELETE_BATCH) return deleted;
    }
  }

  /**
   * Deletes consents that ended more than CONSENT_RECORD_RETENTION_DAYS before `now`, with their
   * receipts. Each batch gets one audit entry naming the consents; their earlier audit entries stay
   * (the chain is append-only), and a change-feed entry each tells replicas to forget them.
   */
  async deleteRecordsPastRetention(now: Date): Promise<number> {
    const days = this.config.consents.recordRetentionDays;
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    let deleted = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (m) => {
        const ids = ((await m.query(DUE_SQL.pastRetention, [cutoff, RECORD_BATCH])) as { id: string }[]).map(
          (r) => r.id,
        );
        if (ids.length === 0) return 0;
        await m.query(`DELETE FROM consent_receipts WHERE consent_id = ANY($1::uuid[])`, [ids]);
        await m.query(`DELETE FROM consents WHERE id = ANY($1::uuid[])`, [ids]);
        await m.query(`SELECT gatehouse_consent_change(id, NULL, NULL) FROM unnest($1::uuid[]) AS id`, [ids]);
        await this.audit.append(m, {
          actor: CONSENTS_JOB_ACTOR,
          action: 'consent.records_deleted',
          subject: { type: 'consent', id: null },
          after: { consentIds: ids, endedBefore: cutoff.toISOString(), retentionDays: days },
        });
        return ids.length;
      });
      deleted += n;
      if (n < RECORD_BATCH) return deleted;
    }
  }

  /** Ends the consents `sql` finds (at most END_BATCH, its $2) one transaction per batch, until none is left. */
  private async endDue(sql: string, params: unknown[], now: Date, cause: EndingCause): Promise<number> {
    let ended = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (m) => {
        const due = (await m.query(sql, params)) as { id: string }[];
        for (const { id } of due) await this.consents.end(id, cause, m, now);
        return due.length;
      });
      ended += n;
      if (n < END_BATCH) return ended;
    }
  }

  /** Runs a marking statement batch by batch, `send` for each row it marked in the same transaction. */
  private async noticeDue(
    sql: string,
    params: unknown[],
    send: (m: EntityManager, row: NoticeRow) => Promise<void>,
  ): Promise<number> {
    let marked = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (m) => {
        const [rows] = (await m.query(sql, params)) as [NoticeRow[], number];
        for (const row of rows) await send(m, row);
        return rows.length;
      });
      marked += n;
      if (n < EMAIL_BATCH) return marked;
    }
  }
}
