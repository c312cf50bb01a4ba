import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { AuditRecord } from '../audit/audit-chain';
import { AuditService } from '../audit/audit.service';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import { CURSOR_KINDS, Page, keysetPage } from '../common/pagination/pagination';
import { OrganisationRecordsService } from '../organisations/organisation-records.service';
import { Organisation } from '../organisations/organisation.entity';
import { ReviewTasksService } from '../review/review-tasks.service';
import { AppKeys } from './app-keys';
import { App, ProductionAccessRequest, ProductionStatus } from './app.entity';
import { productionRequestFieldErrors } from './production-access.rules';
import { nextProductionStatus } from './production-access.transitions';
import { AppCredential } from './credentials/app-credential.entity';
import { generateClientId, generateClientSecret, hashClientSecret, secretPrefix } from './credentials/client-secret';
import { SECURITY_ATTESTATION_ITEMS, highestTier, requirementsFor } from './credentials/scopes';
import { CreateAppDto, ProductionAccessDto, UpdateAppDto } from './dto/app.dto';
import { IdempotencyService } from './idempotency/idempotency.service';
import { validateRedirectUris } from './redirect-uris';
import { ClientJwk, validateClientJwks } from './client-jwks';
import { standingOf, unmetTierRequirements } from './standing';

export interface AppView {
  id: string;
  organisationId: string;
  name: string;
  description: string;
  websiteUrl: string | null;
  redirectUris: string[];
  scopes: string[];
  sandboxClientId: string;
  productionClientId: string | null;
  production: { status: string; grantedScopes: string[] | null; inGoodStanding: boolean; problem: string | null };
  suspended: { at: string; reason: string | null } | null;
  webhookUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ProductionAccessView {
  id: string;
  status: string;
  scopes: string[];
  scopeJustifications: Record<string, string>;
  privacyPolicyUrl: string;
  dataRetentionDays: number;
  securityAttestation: Record<string, boolean>;
  reviewTaskId: string | null;
  reasons: { code: string; text: string }[] | null;
  requestedItems: { requirement: string; message: string }[] | null;
  createdAt: string;
  decidedAt: string | null;
}

export const productionAccessView = (r: ProductionAccessRequest): ProductionAccessView => ({
  id: r.id,
  status: r.status,
  scopes: r.scopes,
  scopeJustifications: r.scopeJustifications,
  privacyPolicyUrl: r.privacyPolicyUrl,
  dataRetentionDays: r.dataRetentionDays,
  securityAttestation: r.securityAttestation,
  reviewTaskId: r.reviewTaskId,
  reasons: r.reasons,
  requestedItems: r.requestedItems,
  createdAt: r.createdAt.toISOString(),
  decidedAt: r.decidedAt?.toISOString() ?? null,
});

/** Apps of an organisation, their sandbox credentials and their way to production. Every query is scoped by the organisation. */
@Injectable()
export class AppsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly audit: AuditService,
    private readonly keys: AppKeys,
    private readonly reviews: ReviewTasksService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** The app, if it belongs to the organisation; another organisation's app is simply not found. */
  async find(orgId: string, appId: string, m: EntityManager = this.dataSource.manager, lock = false): Promise<App> {
    if (!/^[0-9a-f-]{36}$/i.test(appId)) throw new NotFoundError('App');
    const app = await m.getRepository(App).findOne({
      where: { id: appId, organisationId: orgId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!app) throw new NotFoundError('App');
    return app;
  }

  async view(app: App, org?: Organisation): Promise<AppView> {
    const organisation = org ?? (await this.organisations.get(app.organisationId));
    const standing = standingOf(app, organisation, new Date());
    return {
      id: app.id,
      organisationId: app.organisationId,
      name: app.name,
      description: app.description,
      websiteUrl: app.websiteUrl,
      redirectUris: app.redirectUris,
      scopes: app.scopes,
      sandboxClientId: app.sandboxClientId,
      productionClientId: app.productionClientId,
      production: {
        status: app.productionStatus,
        grantedScopes: app.grantedScopes,
        inGoodStanding: standing.ok,
        problem: standing.ok ? null : standing.detail,
      },
      suspended: app.suspendedAt ? { at: app.suspendedAt.toISOString(), reason: app.suspensionReason } : null,
      webhookUrl: app.webhookUrl,
      createdAt: app.createdAt.toISOString(),
      updatedAt: app.updatedAt.toISOString(),
    };
  }

  async get(orgId: string, appId: string): Promise<AppView> {
    return this.view(await this.find(orgId, appId));
  }

  async list(orgId: string, query: { limit: number; cursor?: string }): Promise<Page<AppView>> {
    const qb = this.dataSource.getRepository(App).createQueryBuilder('a');
    qb.where('a.organisation_id = :orgId', { orgId });
    const page = await keysetPage(qb, CURSOR_KINDS.apps, query);
    const org = await this.organisations.get(orgId);
    return { data: await Promise.all(page.data.map((a) => this.view(a, org))), nextCursor: page.nextCursor };
  }

  /** Creates the app with its sandbox client id and secret; the secret is in this answer and nowhere else. */
  async create(
    orgId: string,
    principal: Principal,
    dto: CreateAppDto,
    idempotencyKey: string | undefined,
    requestId?: string,
  ) {
    const errors = validateRedirectUris(dto.redirectUris, 'sandbox');
    if (errors.length) throw new ValidationFailedError(errors);
    return this.idempotency.run(
      { userId: principal.userId, scope: `apps:${orgId}`, key: idempotencyKey, request: dto },
      (m) => this.createIn(m, orgId, principal, dto, requestId),
    );
  }

  private async createIn(
    m: EntityManager,
    orgId: string,
    principal: Principal,
    dto: CreateAppDto,
    requestId?: string,
  ): Promise<AppView & { clientId: string; clientSecret: string; environment: 'sandbox' }> {
    const secret = generateClientSecret('sandbox');
    const repo = m.getRepository(App);
    const app = await repo.save(repo.create(newAppRow(orgId, dto, principal)));
    const credential = await m.getRepository(AppCredential).save(
      m.getRepository(AppCredential).create({
        appId: app.id,
        environment: 'sandbox',
        secretHash: hashClientSecret(secret, this.keys.pepper()),
        secretPrefix: secretPrefix(secret),
        createdBy: principal.userId,
        supersededAt: null,
        revokedAt: null,
      }),
    );
    await this.audit.append(m, appCreatedAudit(app, credential, principal, requestId));
    const org = await this.organisations.get(orgId, m);
    return {
      ...(await this.view(app, org)),
      clientId: app.sandboxClientId,
      clientSecret: secret,
      environment: 'sandbox' as const,
    };
  }

  async update(
    orgId: string,
    appId: string,
    principal: Principal,
    dto: UpdateAppDto,
    requestId?: string,
  ): Promise<AppView> {
    return this.dataSource.transaction(async (m) => {
      const app = await this.find(orgId, appId, m, true);
      if (dto.redirectUris !== undefined) {
        // Once an app is (or is about to be) in production, its redirect URIs follow production's rules.
        const environment =
          app.productionStatus === 'none' || app.productionStatus === 'rejected' ? 'sandbox' : 'production';
        const errors = validateRedirectUris(dto.redirectUris, environment);
        if (errors.length) throw new ValidationFailedError(errors);
      }
      const before = {
        name: app.name,
        description: app.description,
        websiteUrl: app.websiteUrl,
        redirectUris: app.redirectUris,
      };
      if (dto.name !== undefined) app.name = dto.name;
      if (dto.description !== undefined) app.description = dto.description;
      if (dto.websiteUrl !== undefined) app.websiteUrl = dto.websiteUrl;
      if (dto.redirectUris !== undefined) app.redirectUris = dto.redirectUris;
      await m.getRepository(App).save(app);
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'app.updated',
        subject: { type: 'app', id: app.id },
        before,
        after: {
          name: app.name,
          description: app.description,
          websiteUrl: app.websiteUrl,
          redirectUris: app.redirectUris,
        },
        requestId,
      });
      return this.view(app);
    });
  }

  /**
   * Registers (replaces) the app's JWKS for `private_key_jwt` at the authorisation server, or removes
   * it with an empty list. Invalid keys (client-jwks.ts) are 400 with a field error each and nothing
   * changes. Audited with the kids and algorithms, never the key material. From the next token
   * request on, the production client authenticates with an assertion signed by one of these keys
   * instead of its certificate (its tokens stay bound to the certificate it presents).
   */
  async setClientJwks(
    orgId: string,
    appId: string,
    principal: Principal,
    keys: unknown,
    requestId?: string,
  ): Promise<{ keys: ClientJwk[] }> {
    const validated = validateClientJwks(keys);
    if (!validated.ok) throw new ValidationFailedError(validated.errors, 'The JWKS was refused');
    return this.dataSource.transaction(async (m) => {
      const app = await this.find(orgId, appId, m, true);
      const summary = (set: { keys: Record<string, unknown>[] } | null) =>
        (set?.keys ?? []).map((k) => ({ kid: k.kid, alg: k.alg }));
      const before = summary(app.clientJwks);
      app.clientJwks = validated.keys.length ? { keys: validated.keys as unknown as Record<string, unknown>[] } : null;
      await m.query(`UPDATE apps SET client_jwks = $2, updated_at = now() WHERE id = $1`, [
        app.id,
        app.clientJwks === null ? null : JSON.stringify(app.clientJwks),
      ]);
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'app.jwks_registered',
        subject: { type: 'app', id: app.id },
        before: { keys: before },
        after: { keys: summary(app.clientJwks) },
        requestId,
      });
      return { keys: validated.keys };
    });
  }

  /**
   * Asks for production access: refused (409) unless the organisation is approved, and (422) unless
   * every scope is justified, every attestation item is promised, the redirect URIs are fit for
   * production and high-tier scopes come from an FCA-regulated organisation whose app already holds
   * a client certificate. Opens an `app` review task; high-tier scopes only a senior reviewer may take.
   */
  async requestProductionAccess(
    orgId: string,
    appId: string,
    principal: Principal,
    dto: ProductionAccessDto,
    requestId?: string,
  ): Promise<ProductionAccessView> {
    return this.dataSource.transaction(async (m) => {
      const { org, app, requested } = await this.lockForProductionRequest(m, orgId, appId);
      await this.assertProductionRequestComplete(m, org, app, dto);
      return this.recordProductionRequest(m, { orgId, app, requested }, principal, dto, requestId);
    });
  }

  /** Locks the organisation (share) then the app, in that order, and refuses (404/409) a request the state forbids. */
  private async lockForProductionRequest(
    m: EntityManager,
    orgId: string,
    appId: string,
  ): Promise<{ org: Organisation; app: App; requested: ProductionStatus }> {
    const org = await this.organisations.lockForShare(m, orgId);
    if (!org) throw new NotFoundError('Organisation');
    const app = await this.find(orgId, appId, m, true);
    if (org.verificationStatus !== 'approved') {
      throw new DomainError(
        'conflict',
        `Production access needs an approved organisation; this one's verification is ${org.verificationStatus}. Finish KYB first (GET /v1/organisations/${orgId}/verification).`,
      );
    }
    if (app.suspendedAt) throw new DomainError('conflict', 'The app is suspended');
    return { org, app, requested: nextProductionStatus(app.productionStatus, 'request') };
  }

  /** 422 listing every field the request lacks, tier requirements (FCA status, client certificate) last. */
  private async assertProductionRequestComplete(
    m: EntityManager,
    org: Organisation,
    app: App,
    dto: ProductionAccessDto,
  ): Promise<void> {
    const errors = productionRequestFieldErrors(app, dto);
    for (const message of await unmetTierRequirements(m, app.id, org, app.scopes))
      errors.push({ field: 'scopes', message });
    if (errors.length) throw new ValidationFailedError(errors, 'The production-access request is not complete');
  }

  /** Moves the app to `requested`, opens the review task, stores the request and audits it. */
  private async recordProductionRequest(
    m: EntityManager,
    { orgId, app, requested }: { orgId: string; app: App; requested: ProductionStatus },
    principal: Principal,
    dto: ProductionAccessDto,
    requestId?: string,
  ): Promise<ProductionAccessView> {
    app.productionClientId ??= generateClientId('production');
    app.productionStatus = requested;
    await m.getRepository(App).save(app);
    const seniorOnly = requirementsFor(app.scopes).seniorReview;
    const taskId = await this.reviews.createAppTask(m, {
      appId: app.id,
      organisationId: orgId,
      riskLevel: highestTier(app.scopes) ?? 'low',
      seniorOnly,
    });
    const repo = m.getRepository(ProductionAccessRequest);
    const request = await repo.save(
      repo.create({
        appId: app.id,
        organisationId: orgId,
        scopes: app.scopes,
        scopeJustifications: Object.fromEntries(app.scopes.map((s) => [s, dto.scopeJustifications[s]!.trim()])),
        privacyPolicyUrl: dto.privacyPolicyUrl,
        dataRetentionDays: dto.dataRetentionDays,
        securityAttestation: Object.fromEntries(
          SECURITY_ATTESTATION_ITEMS.map((i) => [i, true]),
        ) as ProductionAccessRequest['securityAttestation'],
        status: 'pending',
        reviewTaskId: taskId,
        reasons: null,
        requestedItems: null,
        requestedBy: principal.userId,
        decidedAt: null,
      }),
    );
    await this.audit.append(m, {
      actor: { type: 'developer', id: principal.userId },
      action: 'app.production_access_requested',
      subject: { type: 'app', id: app.id },
      after: { requestId: request.id, scopes: app.scopes, reviewTaskId: taskId, seniorOnly },
      requestId,
    });
    return productionAccessView(request);
  }

  async productionAccess(orgId: string, appId: string): Promise<{ data: ProductionAccessView[]; nextCursor: null }> {
    const app = await this.find(orgId, appId);
    const requests = await this.dataSource
      .getRepository(ProductionAccessRequest)
      .find({ where: { appId: app.id }, order: { createdAt: 'DESC' } });
    return { data: requests.map(productionAccessView), nextCursor: null };
  }
}

/** A new app's row: sandbox only (a fresh sandbox client id), no production access, not suspended, no webhook. */
function newAppRow(orgId: string, dto: CreateAppDto, principal: Principal): DeepPartial<App> {
  return {
    organisationId: orgId,
    name: dto.name,
    description: dto.description,
    websiteUrl: dto.websiteUrl ?? null,
    redirectUris: dto.redirectUris,
    scopes: dto.scopes,
    sandboxClientId: generateClientId('sandbox'),
    productionClientId: null,
    productionStatus: 'none',
    grantedScopes: null,
    suspendedAt: null,
    suspensionReason: null,
    webhookUrl: null,
    webhookSecretSealed: null,
    createdBy: principal.userId,
  };
}

/** The `app.created` audit entry; names the sandbox credential by id, never the secret. */
function appCreatedAudit(app: App, credential: AppCredential, principal: Principal, requestId?: string): AuditRecord {
  return {
    actor: { type: 'developer', id: principal.userId },
    action: 'app.created',
    subject: { type: 'app', id: app.id },
    after: {
      organisationId: app.organisationId,
      name: app.name,
      scopes: app.scopes,
      redirectUris: app.redirectUris,
      sandboxClientId: app.sandboxClientId,
      credentialId: credential.id,
    },
    requestId,
  };
}
