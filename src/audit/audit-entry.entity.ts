import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** The columns of an audit event, the same whether it waits in audit_queue or is linked into the chain. */
abstract class AuditEventColumns {
  @Column({ name: 'actor_type', type: 'varchar', length: 32 })
  actorType: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 96 })
  action: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 32 })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 64, nullable: true })
  subjectId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** One link of the hash chain. Append-only: nothing in Gatehouse updates or deletes these rows. */
@Entity('audit_entries')
@Index('audit_entries_subject_idx', { synchronize: false })
@Index('audit_entries_actor_idx', { synchronize: false })
export class AuditEntry extends AuditEventColumns {
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash: string;

  @Column({ type: 'char', length: 64 })
  hash: string;
}

@Entity('audit_head')
@Check('audit_head_singleton_check', 'singleton')
export class AuditHead {
  @PrimaryColumn({ type: 'boolean', default: true })
  singleton: boolean;

  @Column({ name: 'last_id', type: 'bigint' })
  lastId: string;

  @Column({ name: 'last_hash', type: 'char', length: 64 })
  lastHash: string;

  @Column({ name: 'entry_count', type: 'bigint' })
  entryCount: string;
}

@Entity('audit_checkpoints')
@Index('audit_checkpoints_created_idx', { synchronize: false })
export class AuditCheckpoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'last_id', type: 'bigint' })
  lastId: string;

  @Column({ name: 'head_hash', type: 'char', length: 64 })
  headHash: string;

  @Column({ name: 'entry_count', type: 'bigint' })
  entryCount: string;

  @Column({ name: 'key_id', type: 'varchar', length: 64 })
  keyId: string;

  @Column({ type: 'text' })
  signature: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/** Events waiting to be linked into the chain by the audit chainer (see AuditChain.chainQueued). */
@Entity('audit_queue')
export class AuditQueued extends AuditEventColumns {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;
}
