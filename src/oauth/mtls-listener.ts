import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { X509Certificate, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:https';
import { dirname, join } from 'node:path';
import { AppKeys } from '../apps/app-keys';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/** A development server certificate is renewed this long before it expires. */
const RENEW_BEFORE_MS = 7 * 86_400_000;
const DEV_VALIDITY_DAYS = 90;

/**
 * The second listener (SPEC: "MTLS_PORT serves the token, PAR, introspection, revocation and data
 * endpoints over TLS with client certificates requested"): node https over the same Express app,
 * `requestCert: true` and `rejectUnauthorized: false` — a handshake without a certificate, or with
 * one from elsewhere, still reaches the app, where the authorisation server decides (chain to our
 * CA, revocation, ownership: OAuthService) and a bound token's check refuses the wrong one. The
 * CA's name is sent in the CertificateRequest so clients pick their Gatehouse certificate.
 *
 * Server certificate: MTLS_CERT_PATH/MTLS_KEY_PATH (required in production); otherwise one for
 * localhost, 127.0.0.1 and ::1 issued by the CA in `<varDir>/mtls/localhost.pem` (key and
 * certificate in one file, replaced atomically), renewed within 7 days of its expiry.
 */
@Injectable()
export class MtlsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MtlsListener.name);
  private server?: Server;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: AppKeys,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  /** The bound port, once listening (MTLS_PORT). */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const mtls = this.config.oauth.mtls;
    const express = this.adapterHost?.httpAdapter?.getInstance() as ((req: unknown, res: unknown) => void) | undefined;
    if (!mtls || this.config.role === 'worker' || typeof express !== 'function') return;
    const { keyPem, certificatePem } = await this.serverCertificate();
    const ca = await this.keys.certificateAuthority();
    this.server = createServer(
      {
        key: keyPem,
        cert: certificatePem,
        ca: ca.certificatePem,
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      express,
    );
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(mtls.port, () => resolve());
    });
    this.logger.log(`mutual TLS listener on port ${this.port} (${mtls.publicUrl})`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private async serverCertificate(): Promise<{ keyPem: string; certificatePem: string }> {
    const mtls = this.config.oauth.mtls!;
    if (mtls.certPath && mtls.keyPath)
      return { keyPem: readFileSync(mtls.keyPath, 'utf8'), certificatePem: readFileSync(mtls.certPath, 'utf8') };
    if (this.config.env === 'production')
      throw new Error('MTLS_CERT_PATH and MTLS_KEY_PATH are required with MTLS_PORT when NODE_ENV=production');
    // Key and certificate in one file, written to a temporary name and renamed: a reader never sees
    // half of it, and two processes starting at once each leave a matching pair (the last one wins).
    const path = join(this.config.varDir, 'mtls', 'localhost.pem');
    if (existsSync(path)) {
      const pem = readFileSync(path, 'utf8');
      const current = new X509Certificate(pem);
      if (Date.parse(current.validTo) - Date.now() > RENEW_BEFORE_MS) return { keyPem: pem, certificatePem: pem };
    }
    const ca = await this.keys.certificateAuthority();
    const issued = await ca.issueServerCertificate({
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      now: new Date(),
      validityDays: DEV_VALIDITY_DAYS,
    });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(temporary, `${issued.keyPem}\n${issued.certificatePem}`, { mode: 0o600 });
    renameSync(temporary, path);
    this.logger.warn(`issued a DEVELOPMENT mTLS server certificate for localhost at ${path}`);
    return issued;
  }
}
