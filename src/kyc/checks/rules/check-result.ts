/**
 * The outcome of one automated check on a document or a submission, as the workers store it.
 *
 * - `pass`: the check ran and found nothing wrong.
 * - `warn`: the check ran and found something a reviewer should look at.
 * - `fail`: the check ran and found something wrong.
 * - `error`: the check could not run (bad input it cannot judge, a dependency down); it says nothing
 *   about the document, so it never counts as a pass.
 *
 * `detail.reason` is a sentence a reviewer reads; the other keys are structured facts.
 */
export type CheckOutcome = 'pass' | 'warn' | 'fail' | 'error';

export const CHECK_OUTCOMES: readonly CheckOutcome[] = ['pass', 'warn', 'fail', 'error'];

export interface CheckResult {
  name: string;
  result: CheckOutcome;
  detail: Record<string, unknown>;
}

/** Builds a result whose detail starts with the reason, then the facts. */
export function checkResult(
  name: string,
  result: CheckOutcome,
  reason: string,
  facts: Record<string, unknown> = {},
): CheckResult {
  // `reason` stays the first key and cannot be overridden by a fact of the same name.
  return { name, result, detail: Object.assign({ reason }, facts, { reason }) };
}
