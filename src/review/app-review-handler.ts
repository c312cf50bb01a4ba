import { EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { DecisionDto } from './dto/decision.dto';
import { ReviewDecision, ReviewTask } from './review-task.entity';

/** What the review queue needs from the area that owns `app` tasks (the apps area, above review). */
export interface AppReviewHandler {
  /** Applies a decision on an `app` task, in the transaction that closed the task; returns the app's production status. */
  decide(
    m: EntityManager,
    task: ReviewTask,
    principal: Principal,
    dto: DecisionDto,
    requestId?: string,
  ): Promise<string>;
  /** The case a reviewer reads for an `app` task; `decisions` are the task's, oldest first (review's table). */
  caseView(task: ReviewTask, decisions: ReviewDecision[]): Promise<Record<string, unknown>>;
}

/**
 * DI token of the {@link AppReviewHandler} port. Review (L8) declares it; apps (L9) implements it.
 *
 * Wiring, static and one-way: `AppsPortsModule` (src/apps/apps.module.ts) provides this token with
 * `useExisting: AppReviewsService` and is `@Global()`, and the composition root (src/app.module.ts)
 * imports it, so review's services inject `@Inject(APP_REVIEW_HANDLER)` without the review module
 * importing the apps module. Find the implementation with "find references" on this constant.
 * A context that loads review without apps fails at boot with Nest's unresolved-dependency error.
 */
export const APP_REVIEW_HANDLER = Symbol('APP_REVIEW_HANDLER');
