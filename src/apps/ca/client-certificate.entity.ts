import {
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

/** A client-auth certificate Gatehouse's CA issued to an app. The private key never reaches us. */
@Entity('client_certificates')
@Unique('client_certificates_serial_number_key', ['serialNumber'])
@Unique('client_certificates_thumbprint_key', ['thumbprintSha256'])
@Index('client_certificates_app_idx', { synchronize: false })
@Index('client_certificates_expiry_idx', { synchronize: false })
export class ClientCertificate {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId: string;

  @ManyToOne(() => App, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'app_id', foreignKeyConstraintName: 'client_certificates_app_id_fkey' })
  app?: App;

  @Column({ name: 'serial_number', type: 'varchar', length: 64 })
  serialNumber: string;

  @Column({ name: 'thumbprint_sha256', type: 'char', length: 64 })
  thumbprintSha256: string;

  @Column({ type: 'text' })
  subject: string;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem: string;

  @Column({ name: 'public_key_algorithm', type: 'varchar', length: 16 })
  publicKeyAlgorithm: string;

  @Column({ name: 'not_before', type: 'timestamptz' })
  notBefore: Date;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revocation_reason', type: 'varchar', length: 32, nullable: true })
  revocationReason: string | null;

  @Column({ name: 'reminded_30_at', type: 'timestamptz', nullable: true })
  reminded30At: Date | null;

  @Column({ name: 'reminded_7_at', type: 'timestamptz', nullable: true })
  reminded7At: Date | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'client_certificates_created_by_fkey' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
