import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Principal } from '../../auth/principal';
import { AuditRecord } from '../../audit/audit-chain';
import { AuditService } from '../../audit/audit.service';
import { DomainError, NotFoundError } from '../../common/errors/domain-error';
import { OutboxService } from '../../notifications/outbox.service';
import { AppKeys } from '../app-keys';
import { App } from '../app.entity';
import { AppsService } from '../apps.service';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { standingOf } from '../standing';
import { WebhooksService } from '../webhooks/webhooks.service';
import { AppCredential } from './app-credential.entity';
import {
  AppEnvironment,
  credentialExpiresAt,
  generateClientSecret,
  hashClientSecret,
  secretPrefix,
} from './client-secret';
import { OrganisationRecordsService } from '../../organisations/organisation-records.service';

export interface IssuedCredentialView {
  id: string;
  environment: AppEnvironment;
  clientId: string;
  /** Shown here once; Gatehouse keeps only a hash. */
  clientSecret: string;
  secretPrefix: string;
  createdAt: string;
  /** When the secret this one replaces stops working (null if there was none). */
  previousSecretExpiresAt: string | null;
}

export interface CredentialView {
  id: string;
  environment: AppEnvironment;
  secretPrefix: string;
  status: 'current' | 'grace' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** Issuing, rotating, listing and revoking an app's client secrets. */
@Injectable()
export class CredentialsService {
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
   * Issues a secret for the environment: the first production secret, or a rotation. The previous
   * current secret is superseded and keeps working for the grace period. With an Idempotency-Key,
   * a retry returns the first answer (the same secret) instead of rotating again.
   */
  async issue(
    orgId: string,
    appId: string,
    environment: AppEnvironment,
    principal: Principal,
    idempotencyKey: string | undefined,
    requestId?: string,
  ) {
    return this.idempotency.run(
      {
        userId: principal.userId,
        scope: `credentials:${orgId}:${appId}`,
        key: idempotencyKey,
        request: { environment },
      },
      (m) => this.issueIn(m, orgId, appId, environment, principal, requestId),
    );
  }

  private async issueIn(
    m: EntityManager,
    orgId: string,
    appId: string,
    environment: AppEnvironment,
    principal: Principal,
    requestId?: string,
  ): Promise<IssuedCredentialView> {
    const app = await this.apps.find(orgId, appId, m, true);
    if (environment === 'production') await this.assertProductionStanding(m, orgId, app);
    const { previous, credential, secret, graceEndsAt } = await this.replaceCurrentSecret(
      m,
      app.id,
      environment,
      principal,
    );
    await this.audit.append(
      m,
      credentialIssuedAudit(app.id, environment, credential, previous, graceEndsAt, principal, requestId),
    );
    if (previous) await this.announceRotation(m, orgId, app, environment, credential, previous, graceEndsAt!);
    const clientId = environment === 'production' ? app.productionClientId! : app.sandboxClientId;
    return {
      id: credential.id,
      environment,
      clientId,
      clientSecret: secret,
      secretPrefix: credential.secretPrefix,
      createdAt: credential.createdAt.toISOString(),
      previousSecretExpiresAt: graceEndsAt,
    };
  }

  /** Production secrets exist only for approved apps in good standing; otherwise a 409 with the reason. */
  private async assertProductionStanding(m: EntityManager, orgId: string, app: App): Promise<void> {
    const org = await this.organisations.get(orgId, m);
    const standing = standingOf(app, org, new Date());
    if (!standing.ok)
      throw new DomainError(
        'conflict',
        `Production secrets exist only for approved apps in good standing: ${standing.detail}`,
        { problem: standing.problem },
      );
  }

  /**
   * Supersedes the environment's current secret (if any) and stores a new one. Returns the plain
   * secret (never stored) and, on a rotation, when the superseded secret stops working (ISO string).
   */
  private async replaceCurrentSecret(
    m: EntityManager,
    appId: string,
    environment: AppEnvironment,
    principal: Principal,
  ): Promise<{
    previous: AppCredential | null;
    credential: AppCredential;
    secret: string;
    graceEndsAt: string | null;
  }> {
    const repo = m.getRepository(AppCredential);
    const now = new Date();
    const previous = await repo.findOne({
      where: { appId, environment, supersededAt: IsNull(), revokedAt: IsNull() },
    });
    if (previous) await repo.update({ id: previous.id }, { supersededAt: now });
    const secret = generateClientSecret(environment);
    const credential = await repo.save(
      repo.create({
        appId,
        environment,
        secretHash: hashClientSecret(secret, this.keys.pepper()),
        secretPrefix: secretPrefix(secret),
        createdBy: principal.userId,
        supersededAt: null,
        revokedAt: null,
      }),
    );
    const graceEndsAt = previous
      ? credentialExpiresAt({ supersededAt: now, revokedAt: null }, this.keys.secretGraceMs)!.toISOString()
      : null;
    return { previous, credential, secret, graceEndsAt };
  }

  /** Tells the organisation's owners and admins (by mail) and the app (by webhook) about a rotation. */
  private async announceRotation(
    m: EntityManager,
    orgId: string,
    app: App,
    environment: AppEnvironment,
    credential: AppCredential,
    previous: AppCredential,
    graceEndsAt: string,
  ): Promise<void> {
    for (const email of await this.organisations.recipients(m, orgId, ['owner', 'admin'])) {
      await this.outbox.enqueue(m, email, 'credentials-rotated', {
        appName: app.name,
        environment,
        graceEndsAt,
      });
    }
    await this.webhooks.emit(m, app.id, 'credentials.rotated', {
      environment,
      credentialId: credential.id,
      previousCredentialId: previous.id,
      previousSecretExpiresAt: graceEndsAt,
    });
  }

  async list(orgId: string, appId: string): Promise<{ data: CredentialView[]; nextCursor: null }> {
    const app = await this.apps.find(orgId, appId);
    const now = Date.now();
    const rows = await this.dataSource
      .getRepository(AppCredential)
      .find({ where: { appId: app.id }, order: { createdAt: 'DESC' } });
    const data = rows.map((c): CredentialView => {
      const expiresAt = credentialExpiresAt(c, this.keys.secretGraceMs);
      const status = c.revokedAt
        ? 'revoked'
        : !c.supersededAt
          ? 'current'
          : expiresAt!.getTime() > now
            ? 'grace'
            : 'expired';
      return {
        id: c.id,
        environment: c.environment,
        secretPrefix: c.secretPrefix,
        status,
        createdAt: c.createdAt.toISOString(),
        expiresAt: expiresAt?.toISOString() ?? null,
        revokedAt: c.revokedAt?.toISOString() ?? null,
      };
    });
    return { data, nextCursor: null };
  }

  /** Kills a secret at once, without grace (it leaked, or a rotation is finished early). */
  async revoke(
    orgId: string,
    appId: string,
    credentialId: string,
    principal: Principal,
    requestId?: string,
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const app = await this.apps.find(orgId, appId, m, true);
      const credential = /^[0-9a-f-]{36}$/i.test(credentialId)
        ? await m.getRepository(AppCredential).findOneBy({ id: credentialId, appId: app.id })
        : null;
      if (!credential) throw new NotFoundError('Credential');
      if (credential.revokedAt) return;
      await m.getRepository(AppCredential).update({ id: credential.id }, { revokedAt: new Date() });
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'app.credentials_revoked',
        subject: { type: 'app', id: app.id },
        after: { credentialId: credential.id, environment: credential.environment },
        requestId,
      });
    });
  }
}

/** The audit entry for a first secret ("issued") or a rotation ("rotated"); never holds the secret itself. */
function credentialIssuedAudit(
  appId: string,
  environment: AppEnvironment,
  credential: AppCredential,
  previous: AppCredential | null,
  graceEndsAt: string | null,
  principal: Principal,
  requestId: string | undefined,
): AuditRecord {
  return {
    actor: { type: 'developer', id: principal.userId },
    action: previous ? 'app.credentials_rotated' : 'app.credentials_issued',
    subject: { type: 'app', id: appId },
    after: {
      environment,
      credentialId: credential.id,
      secretPrefix: credential.secretPrefix,
      supersededCredentialId: previous?.id ?? null,
      graceEndsAt,
    },
    requestId,
  };
}
