import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../accounts/user.entity';
import { Organisation } from '../../organisations/organisation.entity';
import { Person } from '../people/person.entity';

import { DOCUMENT_TYPES, DocumentType, IDENTITY_DOCUMENT_TYPES } from '../verification/requirements';

export { DOCUMENT_TYPES, IDENTITY_DOCUMENT_TYPES };
export type { DocumentType };
/** Documents about a person; the rest are about the organisation. */
export const PERSON_DOCUMENT_TYPES: readonly DocumentType[] = [...IDENTITY_DOCUMENT_TYPES, 'proof_of_address'];

/** Metadata of an uploaded file. The bytes live encrypted in the storage backend under `storageKey`. */
@Entity('documents')
@Index('documents_organisation_idx', { synchronize: false })
@Index('documents_sha256_idx', { synchronize: false })
export class KybDocument {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'documents_organisation_id_fkey' })
  organisation?: Organisation;

  @Column({ name: 'person_id', type: 'uuid', nullable: true })
  personId: string | null;

  @ManyToOne(() => Person)
  @JoinColumn({ name: 'person_id', foreignKeyConstraintName: 'documents_person_id_fkey' })
  person?: Person;

  @Column({ type: 'varchar', length: 40 })
  type: DocumentType;

  @Column({ type: 'varchar', length: 16, default: 'uploaded' })
  status: string;

  @Column({ name: 'mime_type', type: 'varchar', length: 40 })
  mimeType: string;

  @Column({ type: 'integer' })
  size: number;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'file_name', type: 'varchar', length: 255, nullable: true })
  fileName: string | null;

  @Column({ name: 'document_number', type: 'varchar', length: 64, nullable: true })
  documentNumber: string | null;

  @Column({ name: 'issuing_country', type: 'char', length: 2, nullable: true })
  issuingCountry: string | null;

  @Column({ name: 'expires_on', type: 'date', nullable: true })
  expiresOn: string | null;

  /** Sealed with the master key: the MRZ is personal data. */
  @Column({ type: 'text', nullable: true })
  mrz: string | null;

  @Column({ name: 'storage_key', type: 'varchar', length: 200 })
  storageKey: string;

  /** The file's data key, wrapped by the master key. */
  @Column({ name: 'wrapped_key', type: 'text' })
  wrappedKey: string;

  @Column({ name: 'uploaded_by', type: 'uuid' })
  uploadedBy: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'uploaded_by', foreignKeyConstraintName: 'documents_uploaded_by_fkey' })
  uploader?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
