import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobQueueService, REQUEST_ENQUEUE_WAIT_MS } from '../../queue/job-queue.service';
import { JobName } from '../../queue/queue.registry';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../../audit/actor';
import { AuditService } from '../../audit/audit.service';
import { DomainError, NotFoundError } from '../../common/errors/domain-error';
import { OutboxService } from '../../notifications/outbox.service';
import { Organisation } from '../../organisations/organisation.entity';
import { OrganisationRecordsService } from '../../organisations/organisation-records.service';
import { CheckRecord } from '../checks/check.entity';
import { CheckView, developerCheckView } from '../checks/check-view';
import { KybDocument } from '../documents/document.entity';
import { Person } from '../people/person.entity';
import { Requirements, deriveRequirements, reverificationDueAt } from './requirements';
import { ORGANISATION_STANDING_LISTENER, OrganisationStandingListener } from './standing-listener';
import { VerificationEvent, VerificationStatus, isVerificationStatus, nextStatus } from './verification.transitions';

export interface VerificationView {
  status: VerificationStatus;
  riskLevel: string | null;
  requirements: Requirements;
  checks: CheckView[];
  reasons: unknown[];
  submittedAt: string | null;
  decidedAt: string | null;
  expiresAt: string | null;
}

@Injectable()
export class VerificationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly jobs: JobQueueService,
    @Inject(ORGANISATION_STANDING_LISTENER) private readonly standingListener: OrganisationStandingListener,
  ) {}

  private readonly logger = new Logger(VerificationService.name);

  async requirementsOf(m: EntityManager, org: Organisation): Promise<Requirements> {
    const [people, documents] = await Promise.all([
      m.getRepository(Person).find({ where: { organisationId: org.id } }),
      m.getRepository(KybDocument).find({ where: { organisationId: org.id } }),
    ]);
    return deriveRequirements(
      {
        organisation: org,
        people: people.map((p) => ({
          ...p,
          ownershipPercent: p.ownershipPercent === null ? null : Number(p.ownershipPercent),
        })),
        documents,
        requestedItems: org.requestedItems.map((i) => ({
          requirement: i.requirement,
          message: i.message,
          deadline: new Date(i.deadline),
          resolvedAt: i.resolvedAt ? new Date(i.resolvedAt) : null,
        })),
        approvedAt: org.approvedAt,
      },
      new Date(),
    );
  }

  async view(orgId: string): Promise<VerificationView> {
    const org = await this.organisations.get(orgId);
    return {
      status: org.verificationStatus as VerificationStatus,
      riskLevel: org.riskLevel,
      requirements: await this.requirementsOf(this.dataSource.manager, org),
      checks: (
        await this.dataSource.getRepository(CheckRecord).find({
          where: { organisationId: org.id, submission: org.submissionCount },
          order: { subjectType: 'DESC', name: 'ASC' },
        })
      )
        .map(developerCheckView)
        .filter((c): c is CheckView => c !== undefined),
      reasons: org.verificationReasons,
      submittedAt: org.submittedAt?.toISOString() ?? null,
      decidedAt: org.decidedAt?.toISOString() ?? null,
      expiresAt: org.approvedAt ? reverificationDueAt(org.approvedAt).toISOString() : null,
    };
  }

  /**
   * Submits for verification: 422 listing what is due, 409 when the status does not allow it.
   * The organisation row is locked first, so of two simultaneous submits exactly one transitions.
   */
  async submit(
    orgId: string,
    actor: Actor,
    requestId?: string,
  ): Promise<{ status: VerificationStatus; submittedAt: string }> {
    const result = await this.dataSource.transaction(async (m) => {
      const org = await this.organisations.lockForUpdate(m, orgId);
      if (!org) throw new NotFoundError('Organisation');
      const event: VerificationEvent = org.verificationStatus === 'expired' ? 'resubmit' : 'submit';
      // Refuse a wrong state before listing requirements: a second submit is a conflict, not a 422.
      nextStatus(this.statusOf(org), event);
      await this.assertNothingDue(m, org);
      const now = new Date().toISOString();
      await this.organisations.updateVerificationRecord(m, org, {
        requestedItems: org.requestedItems.map((i) => (i.resolvedAt ? i : { ...i, resolvedAt: now })),
        submittedAt: new Date(now),
        submissionCount: org.submissionCount + 1,
      });
      await this.transition(m, org, event, actor, requestId, { submission: org.submissionCount });
      await this.notifySubmissionReceived(m, org);
      const documents = (await m.query(`SELECT id FROM documents WHERE organisation_id = $1`, [orgId])) as {
        id: string;
      }[];
      return {
        status: org.verificationStatus as VerificationStatus,
        submittedAt: now,
        submission: org.submissionCount,
        documents: documents.map((d) => d.id),
      };
    });
    // After the commit, hand the checks to the workers at once. If Redis is down or slow this gives up
    // within a second and fails quietly: the workers' dispatcher (ChecksDispatcher) finds every
    // submitted case in PostgreSQL and enqueues it with the same job ids.
    await this.enqueueChecks(orgId, result.submission, result.documents).catch((e: Error) =>
      this.logger.warn(`checks for ${orgId} left to the dispatcher: ${e.message}`),
    );
    return { status: result.status, submittedAt: result.submittedAt };
  }

  /** 422 requirements_due listing what is still due, leaving out what this resubmission answers. */
  private async assertNothingDue(m: EntityManager, org: Organisation): Promise<void> {
    const requirements = await this.requirementsOf(m, org);
    // Items a reviewer asked for count as answered by this resubmission.
    const answered = new Set(org.requestedItems.filter((i) => !i.resolvedAt).map((i) => i.requirement));
    const due = requirements.currentlyDue.filter((r) => !answered.has(r));
    if (due.length > 0) {
      throw new DomainError('requirements_due', 'Some requirements are still due', {
        requirements: {
          ...requirements,
          currentlyDue: due,
          errors: requirements.errors.filter((e) => !answered.has(e.requirement)),
        },
      });
    }
  }

  /** Queues a "submission received" mail to the organisation's owners and admins. */
  private async notifySubmissionReceived(m: EntityManager, org: Organisation): Promise<void> {
    const about = { organisationName: org.legalName, organisationId: org.id };
    for (const email of await this.organisations.recipients(m, org.id, ['owner', 'admin'])) {
      await this.outbox.enqueue(m, email, 'submission-received', about);
    }
  }

  private async enqueueChecks(organisationId: string, submission: number, documentIds: string[]): Promise<void> {
    const wait = REQUEST_ENQUEUE_WAIT_MS;
    await Promise.all([
      this.jobs.enqueueWithin(wait, JobName.CheckOrganisation, { organisationId, submission }),
      ...documentIds.map((documentId) =>
        this.jobs.enqueueWithin(wait, JobName.CheckDocument, { documentId, submission }),
      ),
    ]);
  }

  /**
   * The one way a verification status changes: checks the table, has the organisations area store
   * the new status, and writes the audit entry in the caller's transaction (which must hold the
   * organisation row lock, OrganisationRecordsService.lockForUpdate). A move into or out of
   * `approved` is told to the standing listener (`ORGANISATION_STANDING_LISTENER`) in that transaction.
   * Other verification columns the caller changes it stores first (updateVerificationRecord).
   */
  async transition(
    m: EntityManager,
    org: Organisation,
    event: VerificationEvent,
    actor: Actor,
    requestId?: string,
    details: Record<string, unknown> = {},
  ): Promise<VerificationStatus> {
    const from = this.statusOf(org);
    const to = nextStatus(from, event);
    await this.organisations.setVerificationStatus(m, org.id, from, to);
    org.verificationStatus = to;
    await this.audit.append(m, {
      actor,
      action: `verification.${event}`,
      subject: { type: 'organisation', id: org.id },
      before: { status: from },
      after: { status: to, ...details },
      requestId,
    });
    if ((from === 'approved') !== (to === 'approved')) {
      await this.standingListener.organisationStandingChanged(m, org.id, to === 'approved' ? 'restored' : 'lost', to);
    }
    return to;
  }

  private statusOf(org: Organisation): VerificationStatus {
    if (!isVerificationStatus(org.verificationStatus))
      throw new Error(`organisation ${org.id} has an unknown verification status ${org.verificationStatus}`);
    return org.verificationStatus;
  }
}
