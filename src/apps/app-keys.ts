import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { developmentKey, loadMasterKey } from '../common/crypto/master-key';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { loadOrCreateCa, CertificateAuthority } from './ca/certificate-authority';

/** The keys the apps area works with, loaded once per process on first use. */
@Injectable()
export class AppKeys implements OnApplicationBootstrap {
  private readonly logger = new Logger(AppKeys.name);
  private pepperKey?: Buffer;
  private master?: Buffer;
  private ca?: Promise<CertificateAuthority>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The CA exists from the first start (and a production deployment without one fails here, loudly). */
  async onApplicationBootstrap(): Promise<void> {
    await this.certificateAuthority();
  }

  /** HMAC key of stored client-secret hashes (CLIENT_SECRET_PEPPER). */
  pepper(): Buffer {
    this.pepperKey ??= this.config.apps.secretPepper
      ? Buffer.from(this.config.apps.secretPepper, 'base64')
      : developmentKey(
          this.config,
          'client-secret-pepper.key',
          'CLIENT_SECRET_PEPPER',
          'Changing it invalidates every issued client secret.',
          (m) => this.logger.warn(m),
        );
    return this.pepperKey;
  }

  /** Seals small secrets that must be read back (webhook signing secrets). */
  masterKey(): Buffer {
    this.master ??= loadMasterKey(this.config, (m) => this.logger.warn(m));
    return this.master;
  }

  get secretGraceMs(): number {
    return this.config.apps.secretGraceMs;
  }

  /** Gatehouse's client CA: created on first use in development, required to exist in production. */
  certificateAuthority(): Promise<CertificateAuthority> {
    this.ca ??= loadOrCreateCa({
      keyPath: this.config.apps.caKeyPath,
      certPath: this.config.apps.caCertPath,
      allowCreate: this.config.env !== 'production',
    }).catch((e: unknown) => {
      this.ca = undefined;
      throw e;
    });
    return this.ca;
  }
}
