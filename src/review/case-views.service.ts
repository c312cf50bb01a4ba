import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { NotFoundError } from '../common/errors/domain-error';
import { KybCaseFilesService } from '../kyc/kyb-case-files.service';
import { Organisation } from '../organisations/organisation.entity';
import { OrganisationRecordsService } from '../organisations/organisation-records.service';
import { APP_REVIEW_HANDLER, AppReviewHandler } from './app-review-handler';
import { ReviewDecision, ReviewTask } from './review-task.entity';
import { taskView } from './task-view';

/**
 * The case a reviewer reads for a task: for `kyb`, the organisation, people, documents with every
 * check result of the current submission, the organisation's audit history and earlier decisions;
 * for `app`, what the apps area shows through APP_REVIEW_HANDLER. 404 for an unknown task.
 */
@Injectable()
export class CaseViewsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationRecordsService,
    private readonly kyc: KybCaseFilesService,
    @Inject(APP_REVIEW_HANDLER) private readonly appReviews: AppReviewHandler,
  ) {}

  async caseView(taskId: string): Promise<Record<string, unknown>> {
    const task = await this.dataSource.getRepository(ReviewTask).findOneBy({ id: taskId });
    if (!task) throw new NotFoundError('Review task');
    const body = task.type === 'app' ? await this.appCase(task) : await this.kybCase(task);
    return { task: taskView(task), ...body };
  }

  private async appCase(task: ReviewTask): Promise<Record<string, unknown>> {
    const order = { createdAt: 'ASC' } as const;
    const decisions = await this.dataSource.getRepository(ReviewDecision).find({ where: { taskId: task.id }, order });
    return this.appReviews.caseView(task, decisions);
  }

  private async kybCase(task: ReviewTask): Promise<Record<string, unknown>> {
    const org = await this.organisations.get(task.organisationId);
    const [file, decisions, history] = await Promise.all([
      this.kyc.caseFile(org.id, org.submissionCount),
      this.dataSource
        .getRepository(ReviewDecision)
        .find({ where: { organisationId: org.id }, order: { createdAt: 'ASC' } }),
      // In time order: a queued event (a case's review_started, queued with its claim) can be
      // linked into the chain after a synchronous entry that came later (a quick release).
      this.audit.history({ type: 'organisation', id: org.id }, 'time'),
    ]);
    return {
      organisation: { ...organisationView(org), checks: file.organisationChecks },
      people: file.people,
      documents: file.documents,
      decisions: decisions.map(decisionView),
      history,
    };
  }
}

function organisationView(org: Organisation) {
  return {
    id: org.id,
    legalName: org.legalName,
    tradingName: org.tradingName,
    registrationNumber: org.registrationNumber,
    country: org.country,
    registeredAddress: org.registeredAddress,
    website: org.website,
    regulatoryStatus: org.regulatoryStatus,
    verification: {
      status: org.verificationStatus,
      riskLevel: org.riskLevel,
      submittedAt: org.submittedAt?.toISOString() ?? null,
      requestedItems: org.requestedItems,
    },
  };
}

const decisionView = (d: ReviewDecision) => ({
  id: d.id,
  stage: d.stage,
  decision: d.decision,
  reasonCodes: d.reasonCodes,
  note: d.note,
  reviewerId: d.reviewerId,
  requestedItems: d.requestedItems,
  createdAt: d.createdAt.toISOString(),
});
