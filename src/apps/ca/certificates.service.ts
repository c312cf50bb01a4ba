import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager } from 'typeorm';
import { Principal } from '../../auth/principal';
import { AuditRecord } from '../../audit/audit-chain';
import { AuditService } from '../../audit/audit.service';
import { DomainError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { OutboxService } from '../../notifications/outbox.service';
import { AppKeys } from '../app-keys';
import { App } from '../app.entity';
import { AppsService } from '../apps.service';
import { generateClientId } from '../credentials/client-secret';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { CsrRejectedError, MAX_CLIENT_CERT_VALIDITY_DAYS, RevocationReason } from './certificate-authority';
import { ClientCertificate } from './client-certificate.entity';
import { OrganisationRecordsService } from '../../organisations/organisation-records.service';
import { Organisation } from '../../organisations/organisation.entity';

/** What `sign` hands back: the certificate and the facts stored beside it. */
type SignedCertificate = Awaited<ReturnType<CertificatesService['sign']>>;

export interface CertificateView {
  id: string;
  serialNumber: string;
  thumbprint: string;
  subject: string;
  publicKeyAlgorithm: string;
  notBefore: string;
  notAfter: string;
  status: 'active' | 'expired' | 'revoked';
  revokedAt: string | null;
  revocationReason: string | null;
  certificate: string;
  createdAt: string;
}

const certificateView = (c: ClientCertificate, now = Date.now()): CertificateView => ({
  id: c.id,
  serialNumber: c.serialNumber,
  thumbprint: c.thumbprintSha256,
  subject: c.subject,
  publicKeyAlgorithm: c.publicKeyAlgorithm,
  notBefore: c.notBefore.toISOString(),
  notAfter: c.notAfter.toISOString(),
  status: c.revokedAt ? 'revoked' : c.notAfter.getTime() <= now ? 'expired' : 'active',
  revokedAt: c.revokedAt?.toISOString() ?? null,
  revocationReason: c.revocationReason,
  certificate: c.certificatePem,
  createdAt: c.createdAt.toISOString(),
});

/** Reminder points before a certificate expires, in days. */
export const EXPIRY_REMINDER_DAYS = [30, 7] as const;

/** Client certificates from Gatehouse's CA: issuance from a developer's CSR, listing, revocation, the CRL and expiry reminders. */
@Injectable()
export class CertificatesService {
  private readonly logger = new Logger(CertificatesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly apps: AppsService,
    private readonly keys: AppKeys,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly webhooks: WebhooksService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * Signs the developer's CSR. The certificate names the organisation's verified legal name (so
   * the organisation must be approved) and the app's production client id, which is reserved here
   * if the app has none yet; it authenticates nothing until production access is approved.
   */
  async issue(
    orgId: string,
    appId: string,
    csrPem: string,
    principal: Principal,
    idempotencyKey: string | undefined,
    requestId?: string,
  ) {
    return this.idempotency.run(
      {
        userId: principal.userId,
        scope: `certificates:${orgId}:${appId}`,
        key: idempotencyKey,
        request: { csr: csrPem },
      },
      (m) => this.issueIn(m, orgId, appId, csrPem, principal, requestId),
    );
  }

  private async issueIn(
    m: EntityManager,
    orgId: string,
    appId: string,
    csrPem: string,
    principal: Principal,
    requestId?: string,
  ): Promise<CertificateView> {
    const org = await this.organisations.get(orgId, m);
    const app = await this.apps.find(orgId, appId, m, true);
    assertMayHoldCertificate(org, app);
    const clientId = await this.reserveProductionClientId(m, app);
    const issued = await this.sign(csrPem, org.legalName, clientId);
    const repo = m.getRepository(ClientCertificate);
    const saved = await repo.save(repo.create(newCertificateRow(app, org, issued, principal)));
    await this.audit.append(m, certificateIssuedAudit(app, saved, principal, requestId));
    for (const email of await this.organisations.recipients(m, orgId, ['owner', 'admin'])) {
      await this.outbox.enqueue(m, email, 'certificate-issued', {
        appName: app.name,
        thumbprint: saved.thumbprintSha256,
        notAfter: saved.notAfter.toISOString(),
      });
    }
    return certificateView(saved);
  }

  /** The app's production client id, reserved now if it has none: the certificate names it. */
  private async reserveProductionClientId(m: EntityManager, app: App): Promise<string> {
    if (!app.productionClientId) {
      app.productionClientId = generateClientId('production');
      await m.getRepository(App).update({ id: app.id }, { productionClientId: app.productionClientId });
    }
    return app.productionClientId;
  }

  /** Has the CA sign the CSR for the organisation's legal name and the production client id; 422 for a refused CSR. */
  private async sign(csrPem: string, organisationLegalName: string, clientId: string) {
    const ca = await this.keys.certificateAuthority();
    try {
      return await ca.issue({
        csrPem,
        organisationLegalName,
        clientId,
        now: new Date(),
        validityDays: MAX_CLIENT_CERT_VALIDITY_DAYS,
      });
    } catch (e) {
      if (e instanceof CsrRejectedError)
        throw new ValidationFailedError(
          [{ field: 'csr', message: e.message }],
          'The certificate signing request was refused',
        );
      throw e;
    }
  }

  async list(orgId: string, appId: string): Promise<{ data: CertificateView[]; nextCursor: null }> {
    const app = await this.apps.find(orgId, appId);
    const rows = await this.dataSource
      .getRepository(ClientCertificate)
      .find({ where: { appId: app.id }, order: { createdAt: 'DESC' } });
    return { data: rows.map((c) => certificateView(c)), nextCursor: null };
  }

  async revoke(
    orgId: string,
    appId: string,
    certificateId: string,
    reason: RevocationReason,
    principal: Principal,
    requestId?: string,
  ): Promise<CertificateView> {
    return this.dataSource.transaction(async (m) => {
      const app = await this.apps.find(orgId, appId, m);
      const cert = /^[0-9a-f-]{36}$/i.test(certificateId)
        ? await m
            .getRepository(ClientCertificate)
            .findOne({ where: { id: certificateId, appId: app.id }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!cert) throw new NotFoundError('Certificate');
      if (!cert.revokedAt) {
        cert.revokedAt = new Date();
        cert.revocationReason = reason;
        await m.getRepository(ClientCertificate).save(cert);
        await this.audit.append(m, {
          actor: { type: 'developer', id: principal.userId },
          action: 'app.certificate_revoked',
          subject: { type: 'app', id: app.id },
          after: { certificateId: cert.id, serialNumber: cert.serialNumber, reason },
          requestId,
        });
      }
      return certificateView(cert);
    });
  }

  async caPem(): Promise<string> {
    return (await this.keys.certificateAuthority()).certificatePem;
  }

  /**
   * The CRL of every revoked certificate that has not expired yet (an expired one needs no entry).
   * The CRL number is the time of the newest revocation ever made, in seconds, so it grows with
   * every revocation, never goes back, and is the same for every process that builds it.
   */
  async crlDer(now: Date = new Date()): Promise<Buffer> {
    const rows = (await this.dataSource.query(
      `SELECT serial_number, revoked_at, revocation_reason FROM client_certificates WHERE revoked_at IS NOT NULL AND not_after > $1 ORDER BY revoked_at`,
      [now],
    )) as { serial_number: string; revoked_at: Date; revocation_reason: string | null }[];
    // Over every revocation, expired certificates included, so the number never goes back.
    const [{ newest }] = (await this.dataSource.query(
      `SELECT coalesce(floor(extract(epoch FROM max(revoked_at))), 0)::bigint AS newest FROM client_certificates`,
    )) as [{ newest: string }];
    const ca = await this.keys.certificateAuthority();
    return ca.crlDer({
      now,
      crlNumber: BigInt(newest),
      revoked: rows.map((r) => ({
        serialNumber: r.serial_number,
        revokedAt: r.revoked_at,
        reason: (r.revocation_reason ?? 'unspecified') as RevocationReason,
      })),
    });
  }

  /**
   * Emails the organisation's owners and admins (and the app's webhook) 30 and 7 days before a
   * certificate expires. Each reminder is marked on the row in the same transaction, so each is sent once.
   */
  async sendExpiryReminders(now: Date = new Date()): Promise<number> {
    let sent = 0;
    // The 7-day window first: a certificate first seen inside it gets one reminder, not two.
    for (const days of [...EXPIRY_REMINDER_DAYS].sort((a, b) => a - b)) {
      const column = days === 30 ? 'reminded_30_at' : 'reminded_7_at';
      sent += await this.dataSource.transaction(async (m) => {
        const due = (await m.query(
          `SELECT c.id, c.app_id, c.thumbprint_sha256, c.not_after, a.name, a.organisation_id
             FROM client_certificates c JOIN apps a ON a.id = c.app_id
            WHERE c.revoked_at IS NULL AND c.${column} IS NULL AND c.not_after > $1 AND c.not_after <= $1::timestamptz + make_interval(days => $2)
            ORDER BY c.not_after LIMIT 500 FOR UPDATE OF c SKIP LOCKED`,
          [now, days],
        )) as {
          id: string;
          app_id: string;
          thumbprint_sha256: string;
          not_after: Date;
          name: string;
          organisation_id: string;
        }[];
        for (const c of due) {
          const daysLeft = Math.max(1, Math.ceil((c.not_after.getTime() - now.getTime()) / 86_400_000));
          await m.query(
            `UPDATE client_certificates SET reminded_30_at = COALESCE(reminded_30_at, $2), reminded_7_at = CASE WHEN $3 THEN $2 ELSE reminded_7_at END WHERE id = $1`,
            [c.id, now, days === 7],
          );
          for (const email of await this.organisations.recipients(m, c.organisation_id, ['owner', 'admin'])) {
            await this.outbox.enqueue(m, email, 'certificate-expiring', {
              appName: c.name,
              thumbprint: c.thumbprint_sha256,
              notAfter: c.not_after.toISOString(),
              daysLeft,
            });
          }
          await this.webhooks.emit(m, c.app_id, 'certificate.expiring', {
            certificateId: c.id,
            thumbprint: c.thumbprint_sha256,
            notAfter: c.not_after.toISOString(),
            daysLeft,
          });
        }
        return due.length;
      });
    }
    if (sent) this.logger.log(`sent ${sent} certificate expiry reminders`);
    return sent;
  }
}

/**
 * A client certificate carries the organisation's verified name, so only an approved organisation's
 * app that is not suspended may get one. Throws a 409 DomainError otherwise.
 */
function assertMayHoldCertificate(org: Organisation, app: App): void {
  if (org.verificationStatus !== 'approved') {
    throw new DomainError(
      'conflict',
      `A client certificate carries the organisation's verified name, so the organisation must be approved (it is ${org.verificationStatus})`,
    );
  }
  if (app.suspendedAt) throw new DomainError('conflict', 'The app is suspended');
}

/** The stored row for a freshly signed certificate; subject is O=<legal name, ≤64 chars>, CN=<production client id>. */
function newCertificateRow(
  app: App,
  org: Organisation,
  issued: SignedCertificate,
  principal: Principal,
): DeepPartial<ClientCertificate> {
  return {
    appId: app.id,
    serialNumber: issued.serialNumber,
    thumbprintSha256: issued.thumbprintSha256,
    subject: `O=${org.legalName.slice(0, 64)}, CN=${app.productionClientId}`,
    certificatePem: issued.certificatePem,
    publicKeyAlgorithm: issued.publicKeyAlgorithm,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    revokedAt: null,
    revocationReason: null,
    reminded30At: null,
    reminded7At: null,
    createdBy: principal.userId,
  };
}

/** The `app.certificate_issued` audit entry (serial, thumbprint, expiry; not the certificate itself). */
function certificateIssuedAudit(
  app: App,
  saved: ClientCertificate,
  principal: Principal,
  requestId: string | undefined,
): AuditRecord {
  return {
    actor: { type: 'developer', id: principal.userId },
    action: 'app.certificate_issued',
    subject: { type: 'app', id: app.id },
    after: {
      certificateId: saved.id,
      serialNumber: saved.serialNumber,
      thumbprint: saved.thumbprintSha256,
      notAfter: saved.notAfter.toISOString(),
      publicKeyAlgorithm: saved.publicKeyAlgorithm,
    },
    requestId,
  };
}
