import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../../auth/principal';
import { AuditService } from '../../audit/audit.service';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { openSecret, sealSecret } from '../../common/crypto/master-key';
import { CURSOR_KINDS, Page, keysetPage } from '../../common/pagination/pagination';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { JobQueueService } from '../../queue/job-queue.service';
import { JobName } from '../../queue/queue.registry';
import { AppKeys } from '../app-keys';
import { App } from '../app.entity';
import { WebhookDelivery, WebhookDeliveryAttempt } from './webhook-delivery.entity';
import { nextDelayMs } from './webhook-retry';
import { generateWebhookSecret, signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature';
import { assertDeliverable, guardedLookup, validateWebhookUrl } from './webhook-url';

export const WEBHOOK_EVENT_TYPES = [
  'app.approved',
  'app.suspended',
  'app.reinstated',
  'credentials.rotated',
  'certificate.expiring',
  'consent.revoked',
  'consent.expired',
  'consent.narrowed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const DELIVERY_TIMEOUT_MS = 10_000;
const RELAY_BATCH = 100;
/** A relayed delivery whose job never ran (Redis lost it) becomes due again after this. */
const RELAY_LEASE_MS = 10 * 60_000;
const MAX_RESPONSE_BYTES = 4096;

export interface WebhookView {
  url: string | null;
  events: readonly string[];
}

export interface DeliveryView {
  id: string;
  eventType: string;
  url: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  payload: Record<string, unknown>;
  log: { attempt: number; statusCode: number | null; error: string | null; durationMs: number; at: string }[];
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'skipped';

interface DeliveryRow {
  id: string;
  url: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  status: string;
  webhook_secret_sealed: string | null;
  app_id: string;
}

/** What one POST came to: the receiver's status (null without a response), or why there was none. */
interface SentAttempt {
  statusCode: number | null;
  error: string | null;
  /** The app has no webhook any more: never retry. */
  gone: boolean;
  durationMs: number;
}

interface SettledAttempt {
  outcome: Exclude<DeliveryOutcome, 'skipped'>;
  /** Wait before the next attempt (ms), or null when none follows. */
  delay: number | null;
  error: string | null;
}

/** Delivered on a 2xx; otherwise retried on the schedule (webhook-retry.ts) until it runs out, unless the webhook
 * is gone. A non-2xx response is recorded as `HTTP <status>`. */
function settleAttempt({ statusCode, error, gone }: SentAttempt, attempt: number): SettledAttempt {
  const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
  // A 4xx other than 408/429 will not get better by itself, but the developer may be mid-deploy: keep retrying on the schedule.
  const delay = delivered || gone ? null : nextDelayMs(attempt);
  const outcome = delivered ? 'delivered' : delay === null ? 'failed' : 'retry';
  return { outcome, delay, error: !delivered && statusCode !== null ? `HTTP ${statusCode}` : error };
}

/**
 * Signed webhooks. An event is a row written in the transaction of the change it reports (so a
 * rolled-back change sends nothing); the worker's relay hands due rows to BullMQ, and each job makes
 * one attempt. Failures are retried on the schedule in webhook-retry.ts (about 24 hours), and
 * every attempt is logged for the developer. Delivery is at least once: receivers de-duplicate on
 * the event id (also sent as the `Gatehouse-Event-Id` header).
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: AppKeys,
    private readonly audit: AuditService,
    private readonly jobs: JobQueueService,
  ) {}

  private get production(): boolean {
    return this.config.env === 'production';
  }

  async get(app: App): Promise<WebhookView> {
    return { url: app.webhookUrl, events: WEBHOOK_EVENT_TYPES };
  }

  /** Sets (or replaces) the webhook URL and issues a new signing secret, shown once. */
  async set(
    m: EntityManager,
    app: App,
    url: string,
    principal: Principal,
    requestId?: string,
  ): Promise<WebhookView & { secret: string }> {
    const errors = validateWebhookUrl(url, this.production);
    if (errors.length) throw new ValidationFailedError(errors);
    const secret = generateWebhookSecret();
    const before = app.webhookUrl;
    await m.update(
      App,
      { id: app.id },
      { webhookUrl: url, webhookSecretSealed: sealSecret(this.keys.masterKey(), secret, `webhook:${app.id}`) },
    );
    await this.audit.append(m, {
      actor: { type: 'developer', id: principal.userId },
      action: 'app.webhook_set',
      subject: { type: 'app', id: app.id },
      before: { url: before },
      after: { url },
      requestId,
    });
    return { url, events: WEBHOOK_EVENT_TYPES, secret };
  }

  async remove(m: EntityManager, app: App, principal: Principal, requestId?: string): Promise<void> {
    await m.update(App, { id: app.id }, { webhookUrl: null, webhookSecretSealed: null });
    await this.audit.append(m, {
      actor: { type: 'developer', id: principal.userId },
      action: 'app.webhook_removed',
      subject: { type: 'app', id: app.id },
      before: { url: app.webhookUrl },
      requestId,
    });
  }

  /** Records an event for the app's webhook, if it has one, in the caller's transaction. */
  async emit(
    m: EntityManager,
    appId: string,
    type: WebhookEventType,
    data: Record<string, unknown>,
  ): Promise<string | undefined> {
    const rows = (await m.query(`SELECT webhook_url FROM apps WHERE id = $1`, [appId])) as {
      webhook_url: string | null;
    }[];
    const url = rows[0]?.webhook_url;
    if (!url) return undefined;
    const id = randomUUID();
    const payload = { id, type, createdAt: new Date().toISOString(), data: { appId, ...data } };
    await m.query(
      `INSERT INTO webhook_deliveries (id, app_id, event_type, payload, url, next_attempt_at) VALUES ($1, $2, $3, $4, $5, now())`,
      [id, appId, type, payload, url],
    );
    return id;
  }

  async listDeliveries(appId: string, query: { limit: number; cursor?: string }): Promise<Page<DeliveryView>> {
    const qb = this.dataSource.getRepository(WebhookDelivery).createQueryBuilder('d');
    qb.where('d.app_id = :appId', { appId });
    const { data: deliveries, nextCursor } = await keysetPage(qb, CURSOR_KINDS.webhookDeliveries, query);
    const attempts = deliveries.length
      ? await this.dataSource
          .getRepository(WebhookDeliveryAttempt)
          .createQueryBuilder('a')
          .where('a.delivery_id IN (:...ids)', { ids: deliveries.map((d) => d.id) })
          .orderBy('a.attempt', 'ASC')
          .getMany()
      : [];
    const views = deliveries.map((d): DeliveryView => ({
      id: d.id,
      eventType: d.eventType,
      url: d.url,
      status: d.status,
      attempts: d.attempts,
      nextAttemptAt: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
      payload: d.payload,
      log: attempts
        .filter((a) => a.deliveryId === d.id)
        .map((a) => ({
          attempt: a.attempt,
          statusCode: a.statusCode,
          error: a.error,
          durationMs: a.durationMs,
          at: a.attemptedAt.toISOString(),
        })),
    }));
    return { data: views, nextCursor };
  }

  /**
   * Hands deliveries due by `now` to the queue, one job per attempt. The row's next attempt moves
   * a lease ahead in the same transaction, so a job Redis lost makes the row due again later.
   */
  async relayDue(now: Date = new Date()): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `SELECT id, attempts FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, RELAY_BATCH],
      )) as { id: string; attempts: number }[];
      if (rows.length === 0) return 0;
      await m.query(
        `UPDATE webhook_deliveries SET next_attempt_at = now() + make_interval(secs => $2), updated_at = now() WHERE id = ANY($1::uuid[])`,
        [rows.map((r) => r.id), RELAY_LEASE_MS / 1000],
      );
      // One BullMQ attempt per job: the schedule in the database owns retries, so a job that fails
      // to record its outcome is not re-posted by BullMQ. The relay time in the job id lets a
      // delivery whose job was lost or failed be handed over again once its lease has passed.
      const relayedAt = Date.now();
      for (const r of rows) {
        const attempt = r.attempts + 1;
        await this.jobs.enqueue(
          JobName.WebhookDeliver,
          { deliveryId: r.id, attempt },
          { jobId: `webhook-${r.id}-${attempt}-${relayedAt}`, attempts: 1 },
        );
      }
      return rows.length;
    });
  }

  /** One delivery attempt. Runs only if the row still waits for exactly this attempt, so a repeated job does nothing. */
  async deliver(deliveryId: string, attempt: number): Promise<DeliveryOutcome> {
    const row = await this.loadDelivery(deliveryId);
    if (!row || row.status !== 'pending' || row.attempts !== attempt - 1) return 'skipped';
    const sent = await this.sendAttempt(row, attempt);
    const settled = settleAttempt(sent, attempt);
    await this.recordAttempt(deliveryId, row.url, attempt, sent, settled);
    if (settled.outcome === 'failed')
      this.logger.warn(`webhook delivery ${deliveryId} failed after ${attempt} attempts`);
    return settled.outcome;
  }

  private async loadDelivery(deliveryId: string): Promise<DeliveryRow | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT d.id, a.webhook_url AS url, d.payload, d.attempts, d.status, a.webhook_secret_sealed, a.id AS app_id
         FROM webhook_deliveries d JOIN apps a ON a.id = d.app_id WHERE d.id = $1`,
      [deliveryId],
    )) as DeliveryRow[];
    return rows[0];
  }

  /** Signs and POSTs the event once; a transport error becomes `error`, never a throw. */
  private async sendAttempt(row: DeliveryRow, attempt: number): Promise<SentAttempt> {
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let gone = false;
    if (!row.webhook_secret_sealed || !row.url) {
      // Removed since the event was written: nothing to deliver to, and nothing to retry.
      error = 'the app no longer has a webhook';
      gone = true;
    } else {
      const secret = openSecret(this.keys.masterKey(), row.webhook_secret_sealed, `webhook:${row.app_id}`);
      const body = JSON.stringify(row.payload);
      try {
        statusCode = await this.post(row.url, body, {
          'content-type': 'application/json',
          'user-agent': 'Gatehouse-Webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body, new Date()),
          'Gatehouse-Event-Id': String(row.payload.id),
          'Gatehouse-Event-Type': String(row.payload.type),
          'Gatehouse-Delivery-Attempt': String(attempt),
        });
      } catch (e) {
        error = (e as Error).message.slice(0, 300);
      }
    }
    return { statusCode, error, gone, durationMs: Date.now() - started };
  }

  /** Stores the outcome and the attempt, only if no other run recorded this attempt first. */
  private async recordAttempt(
    deliveryId: string,
    url: string | null,
    attempt: number,
    sent: SentAttempt,
    settled: SettledAttempt,
  ): Promise<void> {
    const { outcome, delay, error } = settled;
    await this.dataSource.transaction(async (m) => {
      const [, changed] = (await m.query(
        `UPDATE webhook_deliveries
            SET attempts = $2, status = $3::varchar, last_status_code = $4, last_error = $5, url = COALESCE($7, url),
                next_attempt_at = CASE WHEN $3::varchar = 'pending' THEN now() + make_interval(secs => $6) ELSE NULL END,
                delivered_at = CASE WHEN $3::varchar = 'delivered' THEN now() ELSE NULL END, updated_at = now()
          WHERE id = $1 AND status = 'pending' AND attempts = $2 - 1`,
        [
          deliveryId,
          attempt,
          outcome === 'retry' ? 'pending' : outcome,
          sent.statusCode,
          error,
          (delay ?? 0) / 1000,
          url,
        ],
      )) as [unknown, number];
      if (changed === 0) return;
      await m.query(
        `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [deliveryId, attempt, sent.statusCode, error, sent.durationMs],
      );
    });
  }

  /**
   * POSTs and returns the status code. In production, refuses a URL that no longer passes the
   * webhook rule, an IP literal in a private range, and any name resolving to a private address
   * at the moment of connecting (see `guardedLookup`).
   */
  private post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    const target = new URL(url);
    assertDeliverable(url, this.production);
    const lookup = guardedLookup(this.production, dnsLookup as never);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          lookup: lookup as never,
          timeout: DELIVERY_TIMEOUT_MS,
        },
        (res) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) res.destroy();
          });
          res.on('close', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
