import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../accounts/user.entity';
import { Organisation } from '../organisations/organisation.entity';

export type ReviewTaskType = 'kyb' | 'app';
export type ReviewTaskStatus = 'pending' | 'claimed' | 'done' | 'cancelled';
export type ReviewStage = 'first' | 'second';
export type Decision = 'approve' | 'reject' | 'request_info';

@Entity('review_tasks')
@Check('review_tasks_type_check', `type IN ('kyb', 'app')`)
@Check('review_tasks_stage_check', `stage IN ('first', 'second')`)
@Check('review_tasks_status_check', `status IN ('pending', 'claimed', 'done', 'cancelled')`)
@Index('review_tasks_queue_idx', { synchronize: false })
@Index('review_tasks_subject_idx', { synchronize: false })
@Index('review_tasks_lease_idx', { synchronize: false })
export class ReviewTask {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 8 })
  type: ReviewTaskType;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'review_tasks_organisation_id_fkey' })
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 8, default: 'first' })
  stage: ReviewStage;

  @Column({ type: 'varchar', length: 12, default: 'pending' })
  status: ReviewTaskStatus;

  @Column({ name: 'risk_level', type: 'varchar', length: 8 })
  riskLevel: string;

  @Column({ name: 'stage_rank', type: 'smallint' })
  stageRank: number;

  @Column({ name: 'risk_rank', type: 'smallint' })
  riskRank: number;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'claimed_by', type: 'uuid', nullable: true })
  claimedBy: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'claimed_by', foreignKeyConstraintName: 'review_tasks_claimed_by_fkey' })
  claimer?: User;

  @Column({ name: 'claim_version', type: 'integer', default: 0 })
  claimVersion: number;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  @Column({ name: 'first_approver_id', type: 'uuid', nullable: true })
  firstApproverId: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'first_approver_id', foreignKeyConstraintName: 'review_tasks_first_approver_id_fkey' })
  firstApprover?: User;

  /** Only a senior reviewer may claim it (production access to high-tier scopes). */
  @Column({ name: 'senior_only', type: 'boolean', default: false })
  seniorOnly: boolean;

  @Column({ name: 'sla_alerted_at', type: 'timestamptz', nullable: true })
  slaAlertedAt: Date | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity('review_decisions')
@Check('review_decisions_decision_check', `decision IN ('approve', 'reject', 'request_info')`)
@Index('review_decisions_organisation_idx', { synchronize: false })
export class ReviewDecision {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId: string;

  @ManyToOne(() => ReviewTask, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'review_decisions_task_id_fkey' })
  task?: ReviewTask;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'review_decisions_organisation_id_fkey' })
  organisation?: Organisation;

  @Column({ name: 'reviewer_id', type: 'uuid' })
  reviewerId: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'reviewer_id', foreignKeyConstraintName: 'review_decisions_reviewer_id_fkey' })
  reviewer?: User;

  @Column({ type: 'varchar', length: 8 })
  stage: ReviewStage;

  @Column({ type: 'varchar', length: 16 })
  decision: Decision;

  @Column({ name: 'reason_codes', type: 'text', array: true })
  reasonCodes: string[];

  @Column({ type: 'text' })
  note: string;

  @Column({ name: 'requested_items', type: 'jsonb' })
  requestedItems: { requirement: string; message: string }[];

  @Column({ name: 'claim_version', type: 'integer' })
  claimVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

@Entity('reviewer_digests')
export class ReviewerDigest {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'reviewer_digests_user_id_fkey' })
  user?: User;

  @Column({ name: 'last_sent_at', type: 'timestamptz' })
  lastSentAt: Date;
}
