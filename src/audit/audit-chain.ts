import { sign, verify as verifySignature, KeyObject } from 'node:crypto';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
} from 'typeorm';
import { AuditEntryContent, GENESIS_HASH, canonicalJson, chainHash, scrubSnapshot } from './audit-hash';
import { AuditSigningKey } from './audit-signing-key';

export type ActorType = 'developer' | 'staff' | 'customer' | 'app' | 'system';

export interface AuditRecord {
  actor: { type: ActorType; id?: string | null };
  action: string;
  subject: { type: string; id?: string | null };
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  requestId?: string | null;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenId: string | null;
  reason?: string;
}

export interface Checkpoint {
  lastId: string;
  headHash: string;
  entryCount: string;
  createdAt: string;
  keyId: string;
  signature: string;
}

export interface EntryRow {
  id: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

export const contentOf = (r: EntryRow): AuditEntryContent => ({
  id: String(r.id),
  actorType: r.actor_type,
  actorId: r.actor_id,
  action: r.action,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  before: r.before,
  after: r.after,
  requestId: r.request_id,
  createdAt: r.created_at.toISOString(),
});

/** What a checkpoint signature covers: canonical JSON, so anyone can re-create it offline. */
export const checkpointPayload = (c: Pick<Checkpoint, 'lastId' | 'headHash' | 'entryCount' | 'createdAt'>) =>
  canonicalJson({ lastId: c.lastId, headHash: c.headHash, entryCount: c.entryCount, createdAt: c.createdAt });

export function verifyCheckpointSignature(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  return verifySignature(
    null,
    Buffer.from(checkpointPayload(checkpoint)),
    publicKey,
    Buffer.from(checkpoint.signature, 'base64'),
  );
}

/** What an entry's hash covers, for the entry `id` recorded at `at`. */
/** Queued events a synchronous append links before its own; a larger backlog is left to the chainer. */
const APPEND_DRAIN_LIMIT = 1000;

function contentFor(record: AuditRecord, id: string, at: Date): AuditEntryContent {
  return {
    id,
    actorType: record.actor.type,
    actorId: record.actor.id ?? null,
    action: record.action,
    subjectType: record.subject.type,
    subjectId: record.subject.id ?? null,
    before: (scrubSnapshot(record.before ?? null) as Record<string, unknown> | null) ?? null,
    after: (scrubSnapshot(record.after ?? null) as Record<string, unknown> | null) ?? null,
    requestId: record.requestId ?? null,
    createdAt: at.toISOString(),
  };
}

/**
 * The tamper-evident audit log. Appends join the caller's transaction and lock the single head
 * row, so concurrent appends queue up and the chain stays linear; a rolled-back change leaves no
 * entry (and no gap: the id comes from the head, not a sequence).
 */
export class AuditChain {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Adds an entry to the caller's transaction. The entry is linked into the chain (id, hash, the
   * head row locked and moved) just before that transaction commits, by `AuditCommitHook`: the
   * head lock is then the last lock the transaction takes, so a transaction holding it never
   * waits for a row another transaction holds while waiting for the head (which deadlocked
   * sign-ups, uploads, grants and KYB decisions under concurrent load: bench/faults.ts). A
   * rolled-back transaction (or savepoint) leaves no entry. `at` is the entry's time (default now).
   */
  async append(manager: EntityManager, record: AuditRecord, at: Date = new Date()): Promise<void> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('AuditChain.append needs the caller’s transaction');
    AuditCommitHook.ensureOn(manager.connection);
    const list = pending.get(runner) ?? [];
    list.push({ record, at, depth: transactionDepth(runner) });
    pending.set(runner, list);
  }

  /**
   * Links `appends` (in order) after the queued events already committed, in the caller's
   * transaction, holding the head lock until it ends.
   */
  static async link(manager: EntityManager, appends: readonly PendingAppend[]): Promise<void> {
    const head = await lockHead(manager);
    // Queued events already committed happened before these: link them first, so the chain
    // keeps cause before effect (a claim's review_started before the decision that follows it).
    const linked = await linkQueued(manager, head, APPEND_DRAIN_LIMIT);
    let id = BigInt(linked.lastId);
    let prevHash = linked.lastHash;
    const entries = appends.map(({ record, at }) => {
      id += 1n;
      const content = contentFor(record, id.toString(), at);
      const hash = chainHash(prevHash, content);
      const entry = { ...entryColumns(content), prev_hash: prevHash, hash };
      prevHash = hash;
      return entry;
    });
    await insertEntries(manager, entries);
    await manager.query(
      `UPDATE audit_head SET last_id = $1, last_hash = $2, entry_count = entry_count + $3 WHERE singleton`,
      [id.toString(), prevHash, linked.count + entries.length],
    );
  }

  /**
   * Records a frequent event in the caller's transaction without taking the chain's head lock; a
   * worker links queued events into the chain in order (chainQueued), keeping their own time.
   */
  async enqueue(manager: EntityManager, record: AuditRecord): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) throw new Error('AuditChain.enqueue needs the caller’s transaction');
    const scrub = (v: Record<string, unknown> | null | undefined) => (v ? JSON.stringify(scrubSnapshot(v)) : null);
    await manager.query(
      `INSERT INTO audit_queue (actor_type, actor_id, action, subject_type, subject_id, before, after, request_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        record.actor.type,
        record.actor.id ?? null,
        record.action,
        record.subject.type,
        record.subject.id ?? null,
        scrub(record.before),
        scrub(record.after),
        record.requestId ?? null,
        new Date().toISOString(),
      ],
    );
  }

  /**
   * Links up to `batch` queued events into the chain, oldest first, in one transaction (the
   * worker's chainer). Returns how many. The head is the first lock taken and the only row
   * locks after it are queue rows, which only the head's holder takes: no cycle of waits.
   */
  async chainQueued(batch = 500): Promise<number> {
    const [{ queued }] = (await this.dataSource.query(`SELECT EXISTS (SELECT 1 FROM audit_queue) AS queued`)) as [
      { queued: boolean },
    ];
    if (!queued) return 0;
    return this.dataSource.transaction(async (m) => {
      const head = await lockHead(m);
      const linked = await linkQueued(m, head, batch);
      if (linked.count)
        await m.query(
          `UPDATE audit_head SET last_id = $1, last_hash = $2, entry_count = entry_count + $3 WHERE singleton`,
          [linked.lastId, linked.lastHash, linked.count],
        );
      return linked.count;
    });
  }

  /**
   * Walks the whole chain: every hash recomputed, every link and id contiguous, the end matching
   * the head row and the latest signed checkpoint (which catches a deleted tail).
   */
  async verify(publicKey?: KeyObject): Promise<VerifyResult> {
    let prevHash = GENESIS_HASH;
    let expectedId = 1n;
    let checked = 0;
    const broken = (id: bigint | string, reason: string): VerifyResult => ({
      ok: false,
      checked,
      firstBrokenId: String(id),
      reason,
    });
    const checkpoint = await this.latestCheckpoint();
    // A checkpoint of the empty chain (id 0) has no entry to compare with.
    let checkpointSeen = !checkpoint || (checkpoint.lastId === '0' && checkpoint.headHash === GENESIS_HASH);

    for (;;) {
      const rows = (await this.dataSource.query(`SELECT * FROM audit_entries WHERE id >= $1 ORDER BY id LIMIT 1000`, [
        expectedId.toString(),
      ])) as EntryRow[];
      if (rows.length === 0) break;
      for (const row of rows) {
        const id = BigInt(row.id);
        if (id !== expectedId) return broken(expectedId, `entry ${expectedId} is missing`);
        if (row.prev_hash !== prevHash) return broken(id, 'the previous-hash link does not match');
        if (chainHash(prevHash, contentOf(row)) !== row.hash) return broken(id, 'the entry does not match its hash');
        if (checkpoint && id === BigInt(checkpoint.lastId)) {
          if (row.hash !== checkpoint.headHash) return broken(id, 'the entry differs from the signed checkpoint');
          checkpointSeen = true;
        }
        prevHash = row.hash;
        expectedId = id + 1n;
        checked++;
      }
    }
    const [head] = (await this.dataSource.query(`SELECT last_id, last_hash FROM audit_head WHERE singleton`)) as {
      last_id: string;
      last_hash: string;
    }[];
    // A deleted tail leaves no broken link behind it; the head row (and the checkpoint) remember it.
    if (!head || BigInt(head.last_id) !== expectedId - 1n || head.last_hash !== prevHash)
      return broken(expectedId, 'the chain ends before its recorded head');
    if (!checkpointSeen)
      return broken(BigInt(checkpoint!.lastId), 'the entry of the latest signed checkpoint is missing');
    if (checkpoint && publicKey && !verifyCheckpointSignature(checkpoint, publicKey))
      return broken(BigInt(checkpoint.lastId), 'the latest checkpoint signature is invalid');
    return { ok: true, checked, firstBrokenId: null };
  }

  async writeCheckpoint(key: AuditSigningKey): Promise<Checkpoint> {
    const [head] = (await this.dataSource.query(
      `SELECT last_id, last_hash, entry_count FROM audit_head WHERE singleton`,
    )) as {
      last_id: string;
      last_hash: string;
      entry_count: string;
    }[];
    const body = {
      lastId: String(head!.last_id),
      headHash: head!.last_hash,
      entryCount: String(head!.entry_count),
      createdAt: new Date().toISOString(),
    };
    const signature = sign(null, Buffer.from(checkpointPayload(body)), key.privateKey).toString('base64');
    await this.dataSource.query(
      `INSERT INTO audit_checkpoints (last_id, head_hash, entry_count, key_id, signature, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [body.lastId, body.headHash, body.entryCount, key.keyId, signature, body.createdAt],
    );
    return { ...body, keyId: key.keyId, signature };
  }

  async latestCheckpoint(): Promise<Checkpoint | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT * FROM audit_checkpoints ORDER BY created_at DESC, last_id DESC LIMIT 1`,
    )) as {
      last_id: string;
      head_hash: string;
      entry_count: string;
      key_id: string;
      signature: string;
      created_at: Date;
    }[];
    if (!row) return undefined;
    return {
      lastId: String(row.last_id),
      headHash: row.head_hash,
      entryCount: String(row.entry_count),
      createdAt: row.created_at.toISOString(),
      keyId: row.key_id,
      signature: row.signature,
    };
  }
}

/** An entry appended in a transaction, waiting for its commit; `depth` is the savepoint level it was added at. */
export interface PendingAppend {
  record: AuditRecord;
  at: Date;
  depth: number;
}

const pending = new WeakMap<QueryRunner, PendingAppend[]>();

/** TypeORM's nesting level of the runner's transaction (1: the outer transaction, 2+: savepoints). */
function transactionDepth(runner: QueryRunner): number {
  return (runner as unknown as { transactionDepth: number }).transactionDepth;
}

/**
 * Links each transaction's appended entries into the chain just before it commits (TypeORM's
 * BeforeTransactionCommit, which runs inside the transaction: a failure there rolls it back, so
 * no change commits without its entries). Entries of a rolled-back savepoint are dropped with it.
 * One instance per DataSource, added by the first append.
 */
export class AuditCommitHook implements EntitySubscriberInterface {
  /** Adds the hook to `dataSource` unless it has one. */
  static ensureOn(dataSource: DataSource): void {
    if (!dataSource.subscribers.some((s) => s instanceof AuditCommitHook))
      dataSource.subscribers.push(new AuditCommitHook());
  }

  beforeTransactionStart(event: TransactionStartEvent): void {
    // A runner reused after a transaction that ended without either event (its connection lost).
    if (!event.queryRunner.isTransactionActive) pending.delete(event.queryRunner);
  }

  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const runner = event.queryRunner;
    const list = pending.get(runner);
    // A released savepoint keeps its entries for the outer commit.
    if (!list?.length || transactionDepth(runner) > 1) return;
    pending.delete(runner);
    await AuditChain.link(runner.manager, list);
  }

  beforeTransactionRollback(event: TransactionRollbackEvent): void {
    const runner = event.queryRunner;
    const list = pending.get(runner);
    if (!list) return;
    const depth = transactionDepth(runner);
    const kept = list.filter((p) => p.depth < depth);
    if (kept.length) pending.set(runner, kept);
    else pending.delete(runner);
  }
}

/** The chain's head, locked for the rest of the transaction: whoever holds it is the only one linking entries. */
async function lockHead(m: EntityManager): Promise<{ lastId: string; lastHash: string }> {
  const [head] = (await m.query(`SELECT last_id, last_hash FROM audit_head WHERE singleton FOR UPDATE`)) as {
    last_id: string;
    last_hash: string;
  }[];
  if (!head) throw new Error('audit_head is missing; the migrations did not run');
  return { lastId: head.last_id, lastHash: head.last_hash };
}

type EntryColumns = Omit<EntryRow, 'created_at' | 'prev_hash' | 'hash'> & { created_at: string };

const entryColumns = (content: AuditEntryContent): EntryColumns => ({
  id: content.id,
  actor_type: content.actorType,
  actor_id: content.actorId,
  action: content.action,
  subject_type: content.subjectType,
  subject_id: content.subjectId,
  before: content.before,
  after: content.after,
  request_id: content.requestId,
  created_at: content.createdAt,
});

/** One INSERT of linked entries, in id order. */
async function insertEntries(m: EntityManager, entries: Array<EntryColumns & { prev_hash: string; hash: string }>) {
  await m.query(
    `INSERT INTO audit_entries (id, actor_type, actor_id, action, subject_type, subject_id, before, after, request_id, created_at, prev_hash, hash)
     SELECT id, actor_type, actor_id, action, subject_type, subject_id, before, after, request_id, created_at, prev_hash, hash
       FROM jsonb_to_recordset($1::jsonb) AS e(id bigint, actor_type text, actor_id text, action text, subject_type text, subject_id text,
                                              before jsonb, after jsonb, request_id text, created_at timestamptz, prev_hash text, hash text)
      ORDER BY id`,
    [JSON.stringify(entries)],
  );
}

/**
 * Links up to `limit` queued events onto `head`, oldest first: the same entries and hashes as
 * `append` one by one, in three statements. The caller holds the head lock (so no one else takes
 * queue rows) and updates the head row with the result.
 */
async function linkQueued(
  m: EntityManager,
  head: { lastId: string; lastHash: string },
  limit: number,
): Promise<{ lastId: string; lastHash: string; count: number }> {
  const rows = (await m.query(`SELECT * FROM audit_queue ORDER BY id LIMIT $1 FOR UPDATE`, [limit])) as Omit<
    EntryRow,
    'prev_hash' | 'hash'
  >[];
  if (!rows.length) return { ...head, count: 0 };
  let id = BigInt(head.lastId);
  let prevHash = head.lastHash;
  const entries = rows.map((r) => {
    id += 1n;
    const content = contentFor(
      {
        actor: { type: r.actor_type as ActorType, id: r.actor_id },
        action: r.action,
        subject: { type: r.subject_type, id: r.subject_id },
        before: r.before,
        after: r.after,
        requestId: r.request_id,
      },
      id.toString(),
      r.created_at,
    );
    const hash = chainHash(prevHash, content);
    const entry = { ...entryColumns(content), prev_hash: prevHash, hash };
    prevHash = hash;
    return entry;
  });
  await insertEntries(m, entries);
  await m.query(`DELETE FROM audit_queue WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
  return { lastId: id.toString(), lastHash: prevHash, count: rows.length };
}
