import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { CURSOR_KINDS, Page, decodeCursor, toPage } from '../common/pagination/pagination';
import { AuditChain, AuditRecord, Checkpoint, EntryRow, VerifyResult, contentOf } from './audit-chain';

export interface AuditEntryView {
  id: string;
  actor: { type: string; id: string | null };
  action: string;
  subject: { type: string; id: string | null };
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
  createdAt: string;
  hash: string;
}

const entryView = (r: EntryRow): AuditEntryView => ({
  id: String(r.id),
  actor: { type: r.actor_type, id: r.actor_id },
  action: r.action,
  subject: { type: r.subject_type, id: r.subject_id },
  before: r.before,
  after: r.after,
  requestId: r.request_id,
  createdAt: r.created_at.toISOString(),
  hash: r.hash,
});
import { AuditSigningKey, loadAuditSigningKey } from './audit-signing-key';

/** One entry of a subject's history as a reviewer's case view shows it (no hashes, no request id). */
export interface AuditHistoryEntry {
  id: string;
  actorType: string;
  actorId: string | null;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** ISO 8601. */
  at: string;
}

type HistoryRow = Pick<EntryRow, 'id' | 'actor_type' | 'actor_id' | 'action' | 'before' | 'after' | 'created_at'>;

const historyEntry = (r: HistoryRow): AuditHistoryEntry => ({
  id: String(r.id),
  actorType: r.actor_type,
  actorId: r.actor_id,
  action: r.action,
  before: r.before,
  after: r.after,
  at: r.created_at.toISOString(),
});

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);
  private readonly chain: AuditChain;
  private key?: AuditSigningKey;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.chain = new AuditChain(dataSource);
  }

  /**
   * Appends an entry inside the caller's transaction: it exists only if the change commits, and
   * is linked into the chain as the transaction commits (AuditChain.append).
   */
  append(manager: EntityManager, record: AuditRecord): Promise<void> {
    return this.chain.append(manager, record);
  }

  /** For frequent events (claims): queued in the caller's transaction, chained by the worker shortly after. */
  appendSoon(manager: EntityManager, record: AuditRecord): Promise<void> {
    return this.chain.enqueue(manager, record);
  }

  chainQueued(): Promise<number> {
    return this.chain.chainQueued();
  }

  verify(): Promise<VerifyResult> {
    return this.chain.verify(this.signingKey().publicKey);
  }

  writeCheckpoint(): Promise<Checkpoint> {
    return this.chain.writeCheckpoint(this.signingKey());
  }

  latestCheckpoint(): Promise<Checkpoint | undefined> {
    return this.chain.latestCheckpoint();
  }

  /** Entries newest first, filtered by subject; ids are the cursor. */
  async list(
    filter: { subjectType?: string; subjectId?: string },
    limit: number,
    cursor?: string,
  ): Promise<Page<AuditEntryView>> {
    const after = decodeCursor(cursor, CURSOR_KINDS.audit);
    const rows = (await this.dataSource.query(
      `SELECT * FROM audit_entries
        WHERE ($1::text IS NULL OR subject_type = $1) AND ($2::text IS NULL OR subject_id = $2) AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [filter.subjectType ?? null, filter.subjectId ?? null, after?.id ?? null, limit + 1],
    )) as EntryRow[];
    return toPage(rows.map(entryView), limit, CURSOR_KINDS.audit, (e) => ({ id: e.id }));
  }

  /**
   * Every entry about one subject (an organisation's or an app's history), oldest first. `order`
   * 'chain' sorts by id (the chain's order); 'time' by created_at, then id, so an event queued with a
   * claim (appendSoon) and chained after a later synchronous entry still shows in the order it happened.
   */
  async history(subject: { type: string; id: string }, order: 'chain' | 'time'): Promise<AuditHistoryEntry[]> {
    const orderBy = order === 'chain' ? 'id' : 'created_at, id';
    const rows = (await this.dataSource.query(
      `SELECT id, actor_type, actor_id, action, before, after, created_at FROM audit_entries
        WHERE subject_type = $1 AND subject_id = $2 ORDER BY ${orderBy}`,
      [subject.type, subject.id],
    )) as HistoryRow[];
    return rows.map(historyEntry);
  }

  /**
   * A regulator's extract: every entry with its hashes, the head, the latest signed checkpoint and
   * the public key. Recompute SHA-256(prevHash ‖ RFC 8785 JSON of the entry) from the first entry to
   * the checkpoint and check the Ed25519 signature over the checkpoint's canonical JSON.
   */
  async exportChain(maxEntries = 100_000) {
    const entries = (await this.dataSource.query(`SELECT * FROM audit_entries ORDER BY id LIMIT $1`, [
      maxEntries,
    ])) as EntryRow[];
    const [head] = (await this.dataSource.query(
      `SELECT last_id, last_hash, entry_count FROM audit_head WHERE singleton`,
    )) as { last_id: string; last_hash: string; entry_count: string }[];
    return {
      format: 'gatehouse-audit-export/1',
      hashAlgorithm:
        'SHA-256(previous hash hex || RFC 8785 canonical JSON of {id, actorType, actorId, action, subjectType, subjectId, before, after, requestId, createdAt}); the first previous hash is 64 zeros',
      signatureAlgorithm: 'Ed25519 over RFC 8785 canonical JSON of {lastId, headHash, entryCount, createdAt}',
      head: { lastId: String(head!.last_id), lastHash: head!.last_hash, entryCount: String(head!.entry_count) },
      checkpoint: (await this.chain.latestCheckpoint()) ?? null,
      publicKey: this.publicKeyPem(),
      truncated: entries.length === maxEntries && BigInt(head!.last_id) > BigInt(entries[entries.length - 1]?.id ?? 0),
      entries: entries.map((r) => ({ ...contentOf(r), prevHash: r.prev_hash, hash: r.hash })),
    };
  }

  publicKeyPem(): string {
    return this.signingKey().publicKeyPem;
  }

  private signingKey(): AuditSigningKey {
    this.key ??= loadAuditSigningKey(this.config, (m) => this.logger.warn(m));
    return this.key;
  }
}
