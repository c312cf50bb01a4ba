import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { AuditService } from '../audit/audit.service';
import { NotFoundError } from '../common/errors/domain-error';
import { VerificationService } from '../kyc/verification/verification.service';
import { OutboxService } from '../notifications/outbox.service';
import { TemplateData } from '../notifications/templates/catalogue';
import { Organisation } from '../organisations/organisation.entity';
import { OrganisationRecordsService, VerificationRecordChange } from '../organisations/organisation-records.service';
import { DecisionDto } from './dto/decision.dto';
import { KYB_OUTCOMES, KybEmail, KybOutcome, kybOutcome } from './kyb-decisions';
import { ReviewTask } from './review-task.entity';
import { REASON_CODES, REQUEST_INFO_DEADLINE_DAYS } from './review.rules';
import { ReviewTasksService } from './review-tasks.service';
import { staffActor } from './task-view';

type Reason = { code: string; text: string };
type RequestedItem = Organisation['requestedItems'][number];

/**
 * Applies a decision on a `kyb` task (rules in kyb-decisions.ts): the verification transition,
 * the organisation's stamps, a second-stage task, and the owners' and admins' email, all in the
 * transaction that closed the task.
 */
@Injectable()
export class KybDecisionsService {
  constructor(
    private readonly verification: VerificationService,
    private readonly organisations: OrganisationRecordsService,
    private readonly tasks: ReviewTasksService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /** Returns the organisation's verification status after the decision. */
  async decide(
    m: EntityManager,
    task: ReviewTask,
    principal: Principal,
    dto: DecisionDto,
    requestId?: string,
  ): Promise<string> {
    const org = await this.organisations.lockForUpdate(m, task.organisationId);
    if (!org) throw new NotFoundError('Organisation');
    const senior = principal.staffRole === 'senior_reviewer';
    const situation = { status: org.verificationStatus, stage: task.stage, riskLevel: org.riskLevel, senior };
    const outcome: KybOutcome = KYB_OUTCOMES[kybOutcome(situation, dto.decision)];
    const reasons: Reason[] = dto.reasonCodes.map((code) => ({ code, text: REASON_CODES[code] }));
    const items = outcome.requestsItems ? requestItems(dto) : undefined;
    const change = stamps(outcome, reasons);
    if (items) change.requestedItems = [...org.requestedItems, ...items];
    await this.organisations.updateVerificationRecord(m, org, change);
    const details = { taskId: task.id, stage: task.stage, reasonCodes: dto.reasonCodes, note: dto.note };
    if (items) Object.assign(details, { requestedItems: items });
    const actor = staffActor(principal);
    if (outcome.event) {
      await this.verification.transition(m, org, outcome.event, actor, requestId, details);
    } else {
      const subject = { type: 'organisation', id: org.id };
      await this.audit.append(m, { actor, action: outcome.auditAction!, subject, after: details, requestId });
    }
    if (outcome.opensSecondStage) await this.tasks.createKybTask(m, org, 'second', principal.userId);
    if (outcome.email) await this.tell(m, org, outcome.email, { reasons, note: dto.note, items });
    return org.verificationStatus;
  }

  /** Emails the organisation's owners and admins. */
  private async tell(
    m: EntityManager,
    org: Organisation,
    email: KybEmail,
    about: { reasons: Reason[]; note: string; items?: RequestedItem[] },
  ) {
    const base = { organisationName: org.legalName, organisationId: org.id };
    const payloads: { [E in KybEmail]: () => TemplateData[E] } = {
      'organisation-approved': () => base,
      'organisation-reinstated': () => base,
      'organisation-rejected': () => ({ ...base, reasons: about.reasons.map((r) => r.text), note: about.note }),
      'information-requested': () => ({
        ...base,
        items: about.items!.map((i) => ({ requirement: i.requirement, message: i.message })),
        deadline: about.items![0]!.deadline,
      }),
    };
    const recipients = await this.organisations.recipients(m, org.id, ['owner', 'admin']);
    const data = (payloads[email] as () => TemplateData[KybEmail])();
    for (const to of recipients) await this.outbox.enqueue<KybEmail>(m, to, email, data);
  }
}

/** The organisation's columns the outcome stamps (KybOutcome.stamps). */
function stamps(outcome: KybOutcome, reasons: Reason[]): VerificationRecordChange {
  const now = new Date();
  const change: VerificationRecordChange = {};
  if (outcome.stamps.includes('approvedAt')) change.approvedAt = now;
  if (outcome.stamps.includes('decidedAt')) change.decidedAt = now;
  if (outcome.stamps.includes('reasons')) change.verificationReasons = reasons;
  return change;
}

/** The reviewer's items, which become the organisation's, due in REQUEST_INFO_DEADLINE_DAYS days. */
function requestItems(dto: DecisionDto): RequestedItem[] {
  const deadline = new Date(Date.now() + REQUEST_INFO_DEADLINE_DAYS * 24 * 3600_000).toISOString();
  return dto.requestedItems!.map((i) => ({
    requirement: i.requirement,
    message: i.message,
    deadline,
    resolvedAt: null,
  }));
}
