import { EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { DecisionDto } from './dto/decision.dto';
import { ReviewTask } from './review-task.entity';

/**
 * What the review queue needs from the apps area, which registers itself at start-up (the apps
 * area depends on the queue, not the other way round).
 */
export interface AppReviewHandler {
  /** Applies a decision on an `app` task, in the transaction that closed the task; returns the app's production status. */
  decide(m: EntityManager, task: ReviewTask, principal: Principal, dto: DecisionDto, requestId?: string): Promise<string>;
  /** The case a reviewer reads for an `app` task. */
  caseView(task: ReviewTask): Promise<Record<string, unknown>>;
}
