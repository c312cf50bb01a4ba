import {
  Check as CheckConstraint,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Organisation } from '../../organisations/organisation.entity';

import type { CheckOutcome } from './rules/check-result';

export type { CheckOutcome };

/** The stored result of one automated check of one subject in one submission. */
@Entity('checks')
@Unique('checks_subject_name_key', ['organisationId', 'submission', 'subjectType', 'subjectId', 'name'])
@CheckConstraint('checks_subject_type_check', `subject_type IN ('organisation', 'document')`)
@CheckConstraint('checks_result_check', `result IN ('pass', 'warn', 'fail', 'error')`)
export class CheckRecord {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'checks_organisation_id_fkey' })
  organisation?: Organisation;

  @Column({ type: 'integer' })
  submission: number;

  @Column({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType: 'organisation' | 'document';

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ type: 'varchar', length: 32 })
  name: string;

  @Column({ type: 'varchar', length: 8 })
  result: CheckOutcome;

  @Column({ type: 'jsonb' })
  detail: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
