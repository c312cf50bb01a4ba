import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { DomainError, ValidationFailedError } from '../common/errors/domain-error';
import { APP_REVIEW_HANDLER, AppReviewHandler } from './app-review-handler';
import { DecisionDto } from './dto/decision.dto';
import { KybDecisionsService } from './kyb-decisions.service';
import { ReviewDecision, ReviewTask, ReviewTaskType } from './review-task.entity';
import { ReviewTasksService } from './review-tasks.service';
import { TaskView, taskView } from './task-view';

/** Applies a decision on one type of task, in the transaction that closed it; returns the subject's new status. */
type Decider = (
  m: EntityManager,
  task: ReviewTask,
  principal: Principal,
  dto: DecisionDto,
  requestId?: string,
) => Promise<string>;

/**
 * Records a reviewer's decision: the task is closed only by the holder of its current, unexpired
 * lease (`ReviewTasksService.closeForDecision`), the decision row is written, and the task's type
 * decides what follows (`kyb`: KybDecisionsService; `app`: the apps area through APP_REVIEW_HANDLER),
 * all in one transaction, or not at all.
 */
@Injectable()
export class ReviewDecisionsService {
  private readonly deciders: Record<ReviewTaskType, Decider>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tasks: ReviewTasksService,
    kyb: KybDecisionsService,
    @Inject(APP_REVIEW_HANDLER) apps: AppReviewHandler,
  ) {
    this.deciders = { kyb: (...args) => kyb.decide(...args), app: (...args) => apps.decide(...args) };
  }

  /**
   * 422 for requested items on anything but request_info (or none on it), 404/409 unless the
   * caller holds the lease, 403 when the task needs a senior reviewer. `verificationStatus` is the
   * organisation's status for a `kyb` task and the app's production status for an `app` task.
   */
  async decide(
    taskId: string,
    principal: Principal,
    dto: DecisionDto,
    requestId?: string,
  ): Promise<{ task: TaskView; verificationStatus: string }> {
    assertItemsMatchDecision(dto);
    return this.dataSource.transaction(async (m) => {
      const task = await this.tasks.closeForDecision(m, taskId, principal, dto.claimVersion);
      if (task.seniorOnly && principal.staffRole !== 'senior_reviewer')
        throw new DomainError('forbidden', 'This case needs a senior reviewer');
      await m.getRepository(ReviewDecision).insert({
        taskId: task.id,
        organisationId: task.organisationId,
        reviewerId: principal.userId,
        stage: task.stage,
        decision: dto.decision,
        reasonCodes: dto.reasonCodes,
        note: dto.note,
        requestedItems: dto.requestedItems?.map((i) => ({ requirement: i.requirement, message: i.message })) ?? [],
        claimVersion: task.claimVersion,
      });
      const status = await this.deciders[task.type](m, task, principal, dto, requestId);
      const updated = await m.getRepository(ReviewTask).findOneByOrFail({ id: task.id });
      return { task: taskView(updated), verificationStatus: status };
    });
  }
}

/** Requested items belong to request_info, which needs at least one. */
function assertItemsMatchDecision(dto: DecisionDto): void {
  if (dto.decision === 'request_info' && !dto.requestedItems?.length) {
    throw new ValidationFailedError([
      { field: 'requestedItems', message: 'request_info needs at least one requested item' },
    ]);
  }
  if (dto.decision !== 'request_info' && dto.requestedItems) {
    throw new ValidationFailedError([
      { field: 'requestedItems', message: `requestedItems belong to request_info, not ${dto.decision}` },
    ]);
  }
}
