import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { loadMasterKey } from '../../common/crypto/master-key';
import { DocumentStorage, S3DocumentStorage, createDocumentStorage } from './storage';

/** The configured storage backend and the master key, for the documents service and the CLI. */
@Injectable()
export class DocumentVault implements OnApplicationShutdown {
  readonly storage: DocumentStorage;
  private key?: Buffer;
  private readonly logger = new Logger(DocumentVault.name);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.storage =
      config.storage.kind === 's3'
        ? createDocumentStorage({ kind: 's3', ...config.storage.s3! })
        : createDocumentStorage({ kind: 'local', dir: config.storage.dir });
  }

  masterKey(): Buffer {
    this.key ??= loadMasterKey(this.config, (m) => this.logger.warn(m));
    return this.key;
  }

  onApplicationShutdown(): void {
    if (this.storage instanceof S3DocumentStorage) this.storage.destroy();
  }
}
