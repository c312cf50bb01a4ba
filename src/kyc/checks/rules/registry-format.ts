import {
  COMPANIES_HOUSE_PREFIXES,
  normaliseRegistrationNumber,
  readCompaniesHouseNumber,
} from '../../../reference/companies-house';
import { CheckResult, checkResult } from './check-result';

export { COMPANIES_HOUSE_PREFIXES, normaliseRegistrationNumber };

/**
 * Format checks for registry identifiers: a company registration number for its country, and an
 * FCA firm reference number. Formats only: whether the number exists is the register lookup's job.
 */

export const REGISTRATION_NUMBER_CHECK_NAME = 'registration_number_format';
export const FIRM_REFERENCE_CHECK_NAME = 'firm_reference_number_format';

/**
 * Registration number format for the organisation's country (ISO 3166-1 alpha-2).
 *
 * GB (Companies House): 8 digits, or a known 2-character prefix and 6 digits; leading zeros that
 * were left off are put back (`1234567` → `01234567`, `SC12345` → `SC012345`). An 8-character
 * number with an unknown prefix or an unusual shape (Companies House has a few, e.g. `NI12345A`)
 * warns; anything else fails.
 *
 * Other countries: warn, "format not checked for XX". A warn, not a pass: the check gave no
 * assurance, and a reviewer should look at the number (and the certificate of incorporation)
 * themselves. It is not a fail either: nothing is known to be wrong.
 */
export function checkRegistrationNumber(country: string, number: string): CheckResult {
  const cc = country.trim().toUpperCase();
  const normalised = normaliseRegistrationNumber(number);
  const facts = { country: cc, number: number.trim(), normalised };
  if (normalised === '')
    return checkResult(REGISTRATION_NUMBER_CHECK_NAME, 'fail', 'No registration number given', facts);

  if (cc !== 'GB') {
    return checkResult(
      REGISTRATION_NUMBER_CHECK_NAME,
      'warn',
      `Registration number format not checked for ${cc || 'an unknown country'}; a reviewer should confirm it against the certificate of incorporation`,
      {
        ...facts,
        formatChecked: false,
      },
    );
  }

  const read = readCompaniesHouseNumber(normalised);
  if (read.shape === 'zeros')
    return checkResult(
      REGISTRATION_NUMBER_CHECK_NAME,
      'fail',
      `${JSON.stringify(number)} is not a Companies House number: it is all zeros`,
      facts,
    );
  if (read.shape === 'known') {
    const kind = read.kind ?? 'company registered in England and Wales';
    return checkResult(
      REGISTRATION_NUMBER_CHECK_NAME,
      'pass',
      `${read.canonical} is a Companies House number (${kind})`,
      {
        ...facts,
        canonical: read.canonical,
        prefix: read.prefix,
        formatChecked: true,
      },
    );
  }

  if (read.shape === 'unusual') {
    return checkResult(
      REGISTRATION_NUMBER_CHECK_NAME,
      'warn',
      `${normalised} has the 8 characters of a Companies House number, but its prefix or shape is not one this check knows; confirm it on the register`,
      { ...facts, prefix: normalised.slice(0, 2), formatChecked: true },
    );
  }

  return checkResult(
    REGISTRATION_NUMBER_CHECK_NAME,
    'fail',
    `${JSON.stringify(number)} is not a Companies House number: expected 8 digits, or a 2-letter prefix such as SC, NI or OC followed by 6 digits`,
    { ...facts, formatChecked: true },
  );
}

/**
 * FCA firm reference number (FRN): 6 or 7 digits (the register has issued 6-digit numbers and,
 * more recently, 7-digit ones). Spaces are ignored. Whether the firm exists and its status are the
 * register lookup's business.
 */
export function checkFirmReferenceFormat(frn: string | null | undefined): CheckResult {
  const normalised = (frn ?? '').replace(/\s/g, '');
  const facts = { frn: frn ?? null, normalised };
  if (normalised === '') return checkResult(FIRM_REFERENCE_CHECK_NAME, 'fail', 'No firm reference number given', facts);
  if (/^\d{6,7}$/.test(normalised))
    return checkResult(
      FIRM_REFERENCE_CHECK_NAME,
      'pass',
      `${normalised} has the format of an FCA firm reference number`,
      facts,
    );
  return checkResult(
    FIRM_REFERENCE_CHECK_NAME,
    'fail',
    `${JSON.stringify(frn)} is not an FCA firm reference number: expected 6 or 7 digits`,
    facts,
  );
}
