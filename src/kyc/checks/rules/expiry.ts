import { DOCUMENT_EXPIRY_WARNING_DAYS } from '../../verification/requirements';
import { CheckResult, checkResult } from './check-result';

export const EXPIRY_CHECK_NAME = 'expiry';

/** A document expiring within this many days (inclusive) is a warning; the same figure the requirements use. */
export const EXPIRY_WARNING_DAYS = DOCUMENT_EXPIRY_WARNING_DAYS;

const DAY_MS = 86_400_000;

/**
 * Whether a document has expired. Dates are calendar days compared in UTC: a document is valid
 * through its expiry date, so it has expired only from the day after (the rule the verification
 * requirements use too).
 *
 * - no date → warn ("no expiry date given": a reviewer decides whether the document should have one)
 * - expired → fail
 * - expires today or within 90 days → warn
 * - otherwise → pass
 */
export function checkExpiry(expiresOn: string | null | undefined, now: Date): CheckResult {
  if (expiresOn === null || expiresOn === undefined || expiresOn.trim() === '') {
    return checkResult(EXPIRY_CHECK_NAME, 'warn', 'No expiry date given', { expiresOn: null });
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expiresOn.trim());
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  const expiryMs = Date.UTC(year, month - 1, day);
  const parsed = new Date(expiryMs);
  if (!m || parsed.getUTCFullYear() !== year || parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) {
    return checkResult(
      EXPIRY_CHECK_NAME,
      'fail',
      `The expiry date ${JSON.stringify(expiresOn)} is not a valid YYYY-MM-DD date`,
      { expiresOn },
    );
  }

  const today = Math.floor(now.getTime() / DAY_MS);
  const expiryDay = expiryMs / DAY_MS;
  const daysLeft = expiryDay - today;
  const facts = {
    expiresOn: parsed.toISOString().slice(0, 10),
    today: new Date(today * DAY_MS).toISOString().slice(0, 10),
    daysLeft,
    warningDays: EXPIRY_WARNING_DAYS,
  };

  if (daysLeft < 0) {
    const ago = -daysLeft;
    return checkResult(
      EXPIRY_CHECK_NAME,
      'fail',
      `The document expired on ${facts.expiresOn}, ${ago} day${ago === 1 ? '' : 's'} ago`,
      facts,
    );
  }
  if (daysLeft <= EXPIRY_WARNING_DAYS) {
    const when = daysLeft === 0 ? 'today' : `in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
    return checkResult(
      EXPIRY_CHECK_NAME,
      'warn',
      `The document expires on ${facts.expiresOn}, ${when} (within ${EXPIRY_WARNING_DAYS} days)`,
      facts,
    );
  }
  return checkResult(
    EXPIRY_CHECK_NAME,
    'pass',
    `The document is valid until ${facts.expiresOn}, ${daysLeft} days from now`,
    facts,
  );
}
