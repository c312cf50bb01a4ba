import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AuditChain, AuditRecord, Checkpoint, VerifyResult } from './audit-chain';
import { AuditSigningKey, loadAuditSigningKey } from './audit-signing-key';

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);
  private readonly chain: AuditChain;
  private key?: AuditSigningKey;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.chain = new AuditChain(dataSource);
  }

  /** Appends an entry inside the caller's transaction: it exists only if the change commits. */
  append(manager: EntityManager, record: AuditRecord): Promise<string> {
    return this.chain.append(manager, record);
  }

  verify(): Promise<VerifyResult> {
    return this.chain.verify(this.signingKey().publicKey);
  }

  writeCheckpoint(): Promise<Checkpoint> {
    return this.chain.writeCheckpoint(this.signingKey());
  }

  latestCheckpoint(): Promise<Checkpoint | undefined> {
    return this.chain.latestCheckpoint();
  }

  publicKeyPem(): string {
    return this.signingKey().publicKeyPem;
  }

  private signingKey(): AuditSigningKey {
    this.key ??= loadAuditSigningKey(this.config, (m) => this.logger.warn(m));
    return this.key;
  }
}
