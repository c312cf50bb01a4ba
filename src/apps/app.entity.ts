import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../accounts/user.entity';
import { Organisation } from '../organisations/organisation.entity';
import { ReviewTask } from '../review/review-task.entity';
import type { SecurityAttestationItem } from './credentials/scopes';

/** Where an app stands on the way to production. */
export const PRODUCTION_STATUSES = ['none', 'requested', 'info_requested', 'approved', 'rejected'] as const;
export type ProductionStatus = (typeof PRODUCTION_STATUSES)[number];

@Entity('apps')
@Unique('apps_sandbox_client_id_key', ['sandboxClientId'])
@Unique('apps_production_client_id_key', ['productionClientId'])
@Check(
  'apps_production_status_check',
  `production_status IN ('none', 'requested', 'info_requested', 'approved', 'rejected')`,
)
@Index('apps_organisation_idx', { synchronize: false })
export class App {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'apps_organisation_id_fkey' })
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 1000 })
  description: string;

  @Column({ name: 'website_url', type: 'varchar', length: 256, nullable: true })
  websiteUrl: string | null;

  @Column({ name: 'redirect_uris', type: 'text', array: true })
  redirectUris: string[];

  /** The scopes the app asks for; production gets `grantedScopes` once approved. */
  @Column({ type: 'text', array: true })
  scopes: string[];

  @Column({ name: 'sandbox_client_id', type: 'varchar', length: 64 })
  sandboxClientId: string;

  @Column({ name: 'production_client_id', type: 'varchar', length: 64, nullable: true })
  productionClientId: string | null;

  @Column({ name: 'production_status', type: 'varchar', length: 16, default: 'none' })
  productionStatus: ProductionStatus;

  @Column({ name: 'granted_scopes', type: 'text', array: true, nullable: true })
  grantedScopes: string[] | null;

  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt: Date | null;

  @Column({ name: 'suspension_reason', type: 'text', nullable: true })
  suspensionReason: string | null;

  @Column({ name: 'webhook_url', type: 'varchar', length: 256, nullable: true })
  webhookUrl: string | null;

  /** The webhook signing secret, sealed with the master key (it must be readable to sign). */
  @Column({ name: 'webhook_secret_sealed', type: 'text', nullable: true })
  webhookSecretSealed: string | null;

  /** The developer's JWKS for `private_key_jwt` (public keys only); null: the production client authenticates by certificate. */
  @Column({ name: 'client_jwks', type: 'jsonb', nullable: true })
  clientJwks: { keys: Record<string, unknown>[] } | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'apps_created_by_fkey' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export type ProductionAccessStatus = 'pending' | 'approved' | 'rejected' | 'info_requested';

@Entity('production_access_requests')
@Check('production_access_requests_status_check', `status IN ('pending', 'approved', 'rejected', 'info_requested')`)
@Index('production_access_requests_app_idx', { synchronize: false })
@Index('production_access_requests_task_idx', { synchronize: false })
export class ProductionAccessRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId: string;

  @ManyToOne(() => App, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'app_id', foreignKeyConstraintName: 'production_access_requests_app_id_fkey' })
  app?: App;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'production_access_requests_organisation_id_fkey' })
  organisation?: Organisation;

  @Column({ type: 'text', array: true })
  scopes: string[];

  @Column({ name: 'scope_justifications', type: 'jsonb' })
  scopeJustifications: Record<string, string>;

  @Column({ name: 'privacy_policy_url', type: 'varchar', length: 256 })
  privacyPolicyUrl: string;

  @Column({ name: 'data_retention_days', type: 'integer' })
  dataRetentionDays: number;

  @Column({ name: 'security_attestation', type: 'jsonb' })
  securityAttestation: Record<SecurityAttestationItem, boolean>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: ProductionAccessStatus;

  @Column({ name: 'review_task_id', type: 'uuid', nullable: true })
  reviewTaskId: string | null;

  @ManyToOne(() => ReviewTask)
  @JoinColumn({ name: 'review_task_id', foreignKeyConstraintName: 'production_access_requests_review_task_id_fkey' })
  reviewTask?: ReviewTask;

  @Column({ type: 'jsonb', nullable: true })
  reasons: { code: string; text: string }[] | null;

  @Column({ name: 'requested_items', type: 'jsonb', nullable: true })
  requestedItems: { requirement: string; message: string }[] | null;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'requested_by', foreignKeyConstraintName: 'production_access_requests_requested_by_fkey' })
  requester?: User;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
