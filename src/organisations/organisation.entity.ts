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
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../accounts/user.entity';
import { OrganisationRole } from '../auth/roles';

export interface Address {
  line1: string;
  line2?: string;
  city: string;
  postcode: string;
  country: string;
}

export interface RegulatoryStatus {
  type: 'fca_authorised' | 'fca_registered' | 'unregulated';
  firmReferenceNumber?: string;
}

@Entity('organisations')
export class Organisation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'legal_name', type: 'varchar', length: 200 })
  legalName: string;

  @Column({ name: 'trading_name', type: 'varchar', length: 200, nullable: true })
  tradingName: string | null;

  @Column({ name: 'registration_number', type: 'varchar', length: 32 })
  registrationNumber: string;

  @Column({ type: 'char', length: 2 })
  country: string;

  @Column({ name: 'registered_address', type: 'jsonb' })
  registeredAddress: Address;

  @Column({ type: 'varchar', length: 256, nullable: true })
  website: string | null;

  @Column({ name: 'regulatory_status', type: 'jsonb' })
  regulatoryStatus: RegulatoryStatus;

  @Column({ name: 'verification_status', type: 'varchar', length: 32, default: 'unverified' })
  verificationStatus: string;

  @Column({ name: 'risk_level', type: 'varchar', length: 8, nullable: true })
  riskLevel: 'low' | 'medium' | 'high' | null;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  /** When the organisation last became suspended, by the database clock (set with the status). */
  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt: Date | null;

  /** Reviewers' reasons for the latest decision (reason codes and note). */
  @Column({ name: 'verification_reasons', type: 'jsonb' })
  verificationReasons: unknown[];

  /** Items a reviewer asked for (request_info), with their deadline and when they were answered. */
  @Column({ name: 'requested_items', type: 'jsonb' })
  requestedItems: { requirement: string; message: string; deadline: string; resolvedAt?: string | null }[];

  /** How many times it was submitted; checks belong to one submission. */
  @Column({ name: 'submission_count', type: 'integer', default: 0 })
  submissionCount: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'organisations_created_by_fkey' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity('organisation_members')
@Index('organisation_members_user_idx', { synchronize: false })
@Check('organisation_members_role_check', `role IN ('owner', 'admin', 'member')`)
export class OrganisationMember {
  @PrimaryColumn({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'organisation_members_organisation_id_fkey' })
  organisation?: Organisation;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'organisation_members_user_id_fkey' })
  user?: User;

  @Column({ type: 'varchar', length: 16 })
  role: OrganisationRole;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

@Entity('invitations')
@Unique('invitations_token_hash_key', ['tokenHash'])
@Index('invitations_organisation_idx', { synchronize: false })
@Check('invitations_role_check', `role IN ('owner', 'admin', 'member')`)
export class Invitation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'invitations_organisation_id_fkey' })
  organisation?: Organisation;

  @Column({ type: 'citext' })
  email: string;

  @Column({ type: 'varchar', length: 16 })
  role: OrganisationRole;

  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ name: 'invited_by', type: 'uuid' })
  invitedBy: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'invited_by', foreignKeyConstraintName: 'invitations_invited_by_fkey' })
  inviter?: User;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  @Column({ name: 'accepted_by', type: 'uuid', nullable: true })
  acceptedBy: string | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'accepted_by', foreignKeyConstraintName: 'invitations_accepted_by_fkey' })
  acceptor?: User;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
