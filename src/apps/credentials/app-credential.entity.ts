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
} from 'typeorm';
import { User } from '../../accounts/user.entity';
import { App } from '../app.entity';
import type { AppEnvironment } from './client-secret';

/** One client secret of an app, stored only as its peppered hash. */
@Entity('app_credentials')
@Unique('app_credentials_secret_hash_key', ['secretHash'])
@Check('app_credentials_environment_check', `environment IN ('sandbox', 'production')`)
@Index('app_credentials_current_idx', { synchronize: false })
@Index('app_credentials_app_idx', { synchronize: false })
export class AppCredential {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId: string;

  @ManyToOne(() => App, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'app_id', foreignKeyConstraintName: 'app_credentials_app_id_fkey' })
  app?: App;

  @Column({ type: 'varchar', length: 16 })
  environment: AppEnvironment;

  @Column({ name: 'secret_hash', type: 'char', length: 64 })
  secretHash: string;

  /** The environment prefix and four random characters, so listings can tell secrets apart. */
  @Column({ name: 'secret_prefix', type: 'varchar', length: 24 })
  secretPrefix: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'app_credentials_created_by_fkey' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
