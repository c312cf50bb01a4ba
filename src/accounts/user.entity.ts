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
import { StaffRole, UserKind } from '../auth/roles';

@Entity('users')
@Unique('users_email_key_key', ['emailKey'])
@Index('users_email_idx', ['email'])
@Check('users_kind_check', `kind IN ('developer', 'staff')`)
@Check('users_staff_role_check', `staff_role IN ('reviewer', 'senior_reviewer', 'admin')`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  kind: UserKind;

  /** As the user typed it: shown, and where mail goes. */
  @Column({ type: 'citext' })
  email: string;

  /**
   * `mailboxKey(email)`: the identity, unique, what sign-in, resets and invitations look up. Null
   * only for an account set aside in `mailbox_collisions` when keys were introduced.
   */
  @Column({ name: 'email_key', type: 'text', nullable: true })
  emailKey: string | null;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null;

  @Column({ name: 'staff_role', type: 'varchar', length: 32, nullable: true })
  staffRole: StaffRole | null;

  /** Sealed with the master key (AES-256-GCM, the user id as associated data). */
  @Column({ name: 'totp_secret', type: 'text', nullable: true })
  totpSecret: string | null;

  /** Last accepted TOTP time step (RFC 6238 §5.2: no code is accepted twice); bigint, so a string. */
  @Column({ name: 'totp_last_step', type: 'bigint', nullable: true })
  totpLastStep: string | null;

  @Column({ name: 'totp_enabled_at', type: 'timestamptz', nullable: true })
  totpEnabledAt: Date | null;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** An account whose address collided with another's when mailbox keys were introduced (see the migration). */
@Entity('mailbox_collisions')
export class MailboxCollision {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'mailbox_collisions_user_id_fkey' })
  user?: User;

  @Column({ name: 'email_key', type: 'text' })
  emailKey: string;

  @Column({ name: 'kept_user_id', type: 'uuid' })
  keptUserId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'kept_user_id', foreignKeyConstraintName: 'mailbox_collisions_kept_user_id_fkey' })
  keptUser?: User;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
