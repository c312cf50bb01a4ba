import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { OutboxService } from '../notifications/outbox.service';
import { Organisation } from '../organisations/organisation.entity';
import { OrganisationStandingListener } from '../kyc/verification/standing-listener';
import { AppReviewHandler } from '../review/app-review-handler';
import { DecisionDto } from '../review/dto/decision.dto';
import { ReviewDecision, ReviewTask } from '../review/review-task.entity';
import { REASON_CODES } from '../review/review.rules';
import { App, ProductionAccessRequest } from './app.entity';
import { productionAccessView } from './apps.service';
import { nextProductionStatus } from './production-access.transitions';
import { SCOPES, SECURITY_ATTESTATION, requirementsFor } from './credentials/scopes';
import { standingOf, unmetTierRequirements } from './standing';
import { WebhooksService } from './webhooks/webhooks.service';
import { OrganisationRecordsService } from '../organisations/organisation-records.service';

const staff = (p: Principal) => ({ type: 'staff' as const, id: p.userId });

/**
 * Decides production-access reviews, and suspends or reinstates apps (senior reviewers). Implements
 * two ports of lower areas, bound statically in `AppsPortsModule` (apps.module.ts): review's
 * `APP_REVIEW_HANDLER` and KYC's `ORGANISATION_STANDING_LISTENER`.
 */
@Injectable()
export class AppReviewsService implements AppReviewHandler, OrganisationStandingListener {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly webhooks: WebhooksService,
  ) {}

  /**
   * Applies a reviewer's decision on an `app` task (in the transaction that closed it): the app's
   * production status moves by PRODUCTION_ACCESS_TRANSITIONS (409 unless it is `requested`), the
   * request records the outcome, the organisation's owners and admins are emailed, an approval is
   * announced on the app's webhook. 403 when high-tier scopes meet a plain reviewer's approval,
   * 409 when what the approval needs is no longer true. Returns the new production status.
   */
  async decide(
    m: EntityManager,
    task: ReviewTask,
    principal: Principal,
    dto: DecisionDto,
    requestId?: string,
  ): Promise<string> {
    const { request, org, app } = await this.lockDecision(m, task);
    const before = app.productionStatus;
    const after = nextProductionStatus(before, dto.decision);
    if (
      dto.decision === 'approve' &&
      requirementsFor(request.scopes).seniorReview &&
      principal.staffRole !== 'senior_reviewer'
    ) {
      throw new DomainError('forbidden', 'High-tier scopes need a senior reviewer');
    }
    if (dto.decision === 'approve') await this.assertStillEligible(m, app, org, request);
    applyDecision(app, request, dto, after);
    await m.getRepository(ProductionAccessRequest).save(request);
    await m.getRepository(App).save(app);
    await this.tellDecision(m, app, request);
    await this.audit.append(m, {
      actor: staff(principal),
      action: `app.production_access_${request.status}`,
      subject: { type: 'app', id: app.id },
      before: { productionStatus: before },
      after: {
        productionStatus: after,
        taskId: task.id,
        requestId: request.id,
        reasonCodes: dto.reasonCodes,
        note: dto.note,
        grantedScopes: app.grantedScopes,
      },
      requestId,
    });
    return after;
  }

  /**
   * Locks what a decision changes: the request, then the organisation (shared), then the app.
   * Organisation before app is the order a suspension takes them in (organisationStandingChanged):
   * the shared lock keeps a suspension from committing between the eligibility check and the
   * approval, and the common order keeps the two from deadlocking. 404 for anything missing.
   */
  private async lockDecision(
    m: EntityManager,
    task: ReviewTask,
  ): Promise<{ request: ProductionAccessRequest; org: Organisation; app: App }> {
    const request = await m
      .getRepository(ProductionAccessRequest)
      .findOne({ where: { reviewTaskId: task.id }, lock: { mode: 'pessimistic_write' } });
    if (!request) throw new NotFoundError('Production-access request');
    const ref = await m
      .getRepository(App)
      .findOne({ where: { id: request.appId }, select: { id: true, organisationId: true } });
    if (!ref) throw new NotFoundError('App');
    const org = await this.organisations.lockForShare(m, ref.organisationId);
    if (!org) throw new NotFoundError('Organisation');
    const app = await m.getRepository(App).findOne({ where: { id: ref.id }, lock: { mode: 'pessimistic_write' } });
    if (!app) throw new NotFoundError('App');
    return { request, org, app };
  }

  /** Emails the organisation's owners and admins about a decided request; an approval also goes to the webhook. */
  private async tellDecision(m: EntityManager, app: App, request: ProductionAccessRequest): Promise<void> {
    const about = { appName: app.name, organisationId: app.organisationId, appId: app.id };
    for (const email of await this.organisations.recipients(m, app.organisationId, ['owner', 'admin'])) {
      if (request.status === 'approved') await this.outbox.enqueue(m, email, 'app-approved', about);
      else if (request.status === 'rejected') {
        await this.outbox.enqueue(m, email, 'app-rejected', {
          ...about,
          reasons: (request.reasons ?? []).map((r) => r.text),
        });
      } else
        await this.outbox.enqueue(m, email, 'app-information-requested', {
          ...about,
          items: request.requestedItems ?? [],
        });
    }
    if (request.status !== 'approved') return;
    await this.webhooks.emit(m, app.id, 'app.approved', {
      productionClientId: app.productionClientId,
      scopes: request.scopes,
    });
  }

  /** What was true when the developer asked must still be true when a reviewer approves. */
  private async assertStillEligible(
    m: EntityManager,
    app: App,
    org: Organisation,
    request: ProductionAccessRequest,
  ): Promise<void> {
    const standing = standingOf(app, org, new Date(), 'approved');
    if (!standing.ok) throw new DomainError('conflict', `${standing.detail}; reject or ask for information instead`);
    const unmet = await unmetTierRequirements(m, app.id, org, request.scopes);
    if (unmet.length) throw new DomainError('conflict', `No longer met: ${unmet.join('; ')}`);
  }

  /** A production-access case for the review queue: organisation, app, request, requirements, decisions, history. */
  async caseView(task: ReviewTask, decisions: ReviewDecision[]): Promise<Record<string, unknown>> {
    const request = await this.dataSource.getRepository(ProductionAccessRequest).findOneBy({ reviewTaskId: task.id });
    if (!request) throw new NotFoundError('Production-access request');
    const [app, org, earlier, certificates, history] = await Promise.all([
      this.dataSource.getRepository(App).findOneByOrFail({ id: request.appId }),
      this.organisations.get(request.organisationId),
      this.dataSource
        .getRepository(ProductionAccessRequest)
        .find({ where: { appId: request.appId }, order: { createdAt: 'ASC' } }),
      this.dataSource.query(
        `SELECT id, thumbprint_sha256, not_after, revoked_at FROM client_certificates WHERE app_id = $1 ORDER BY created_at`,
        [request.appId],
      ) as Promise<{ id: string; thumbprint_sha256: string; not_after: Date; revoked_at: Date | null }[]>,
      this.audit.history({ type: 'app', id: request.appId }, 'chain'),
    ]);
    return {
      organisation: organisationCaseView(org),
      app: appCaseView(app),
      request: requestCaseView(request),
      requirements: {
        ...requirementsFor(request.scopes),
        activeCertificates: certificates.filter((c) => !c.revoked_at && c.not_after.getTime() > Date.now()).length,
      },
      earlierRequests: earlier.filter((r) => r.id !== request.id).map(productionAccessView),
      decisions: decisions.map(decisionCaseView),
      history,
    };
  }

  /** The organisation's verification left or regained `approved`: its live apps' webhooks hear of it. */
  async organisationStandingChanged(
    m: EntityManager,
    organisationId: string,
    change: 'lost' | 'restored',
    status: string,
  ): Promise<void> {
    const apps = (await m.query(
      `SELECT id FROM apps WHERE organisation_id = $1 AND production_status = 'approved' AND suspended_at IS NULL`,
      [organisationId],
    )) as { id: string }[];
    for (const a of apps)
      await this.webhooks.emit(m, a.id, change === 'lost' ? 'app.suspended' : 'app.reinstated', {
        cause: `organisation_${status}`,
      });
  }

  /** Suspends or reinstates one app's production access (senior reviewers). */
  async setSuspended(
    appId: string,
    suspend: boolean,
    reason: string,
    principal: Principal,
    requestId?: string,
  ): Promise<{ suspended: boolean }> {
    if (!/^[0-9a-f-]{36}$/i.test(appId)) throw new NotFoundError('App');
    return this.dataSource.transaction(async (m) => {
      const app = await m.getRepository(App).findOne({ where: { id: appId }, lock: { mode: 'pessimistic_write' } });
      if (!app) throw new NotFoundError('App');
      if (suspend === (app.suspendedAt !== null))
        throw new DomainError('conflict', suspend ? 'The app is already suspended' : 'The app is not suspended');
      const before = { suspendedAt: app.suspendedAt?.toISOString() ?? null, reason: app.suspensionReason };
      app.suspendedAt = suspend ? new Date() : null;
      app.suspensionReason = suspend ? reason : null;
      await m.getRepository(App).save(app);
      await this.audit.append(m, {
        actor: staff(principal),
        action: suspend ? 'app.suspended' : 'app.reinstated',
        subject: { type: 'app', id: app.id },
        before,
        after: { reason },
        requestId,
      });
      for (const email of await this.organisations.recipients(m, app.organisationId, ['owner', 'admin'])) {
        await this.outbox.enqueue(m, email, suspend ? 'app-suspended' : 'app-reinstated', {
          appName: app.name,
          organisationId: app.organisationId,
          appId: app.id,
          reason,
        });
      }
      // The reason is staff's free text and may name people: the webhook carries a cause code only.
      await this.webhooks.emit(m, app.id, suspend ? 'app.suspended' : 'app.reinstated', {
        cause: suspend ? 'app_suspended' : 'app_reinstated',
      });
      return { suspended: suspend };
    });
  }
}

/** Writes a decision into the loaded app and request (saved by the caller). */
function applyDecision(
  app: App,
  request: ProductionAccessRequest,
  dto: DecisionDto,
  after: App['productionStatus'],
): void {
  app.productionStatus = after;
  // A decision's target (approved, rejected, info_requested) is also the request's outcome.
  request.status = after as ProductionAccessRequest['status'];
  request.decidedAt = new Date();
  request.reasons = dto.reasonCodes.map((code) => ({ code, text: REASON_CODES[code] }));
  if (dto.decision === 'approve') app.grantedScopes = request.scopes;
  if (dto.decision === 'request_info') {
    request.requestedItems = dto.requestedItems!.map((i) => ({ requirement: i.requirement, message: i.message }));
  }
}

/** The organisation as a reviewer sees it in a production-access case. */
function organisationCaseView(org: Organisation): Record<string, unknown> {
  return {
    id: org.id,
    legalName: org.legalName,
    tradingName: org.tradingName,
    regulatoryStatus: org.regulatoryStatus,
    verification: { status: org.verificationStatus, riskLevel: org.riskLevel },
  };
}

/** The app under review; `suspended` rather than the suspension time. */
function appCaseView(app: App): Record<string, unknown> {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    websiteUrl: app.websiteUrl,
    redirectUris: app.redirectUris,
    productionStatus: app.productionStatus,
    suspended: app.suspendedAt !== null,
  };
}

/**
 * The request with each scope's tier, description and justification, and each security-attestation
 * item with its title. A scope missing from the catalogue is shown as high tier.
 */
function requestCaseView(request: ProductionAccessRequest): Record<string, unknown> {
  return {
    ...productionAccessView(request),
    scopes: request.scopes.map((s) => ({
      scope: s,
      tier: SCOPES[s as keyof typeof SCOPES]?.tier ?? 'high',
      description: SCOPES[s as keyof typeof SCOPES]?.description ?? null,
      justification: request.scopeJustifications[s],
    })),
    securityAttestation: Object.entries(request.securityAttestation).map(([item, value]) => ({
      item,
      value,
      title: SECURITY_ATTESTATION[item as keyof typeof SECURITY_ATTESTATION]?.title ?? item,
    })),
  };
}

/** One earlier decision on the case. */
function decisionCaseView(d: ReviewDecision): Record<string, unknown> {
  return {
    id: d.id,
    decision: d.decision,
    reasonCodes: d.reasonCodes,
    note: d.note,
    reviewerId: d.reviewerId,
    createdAt: d.createdAt.toISOString(),
  };
}
