import { CheckResult, checkResult } from './check-result';

/**
 * Format checks for registry identifiers: a company registration number for its country, and an
 * FCA firm reference number. Formats only: whether the number exists is the register lookup's job.
 */

export const REGISTRATION_NUMBER_CHECK_NAME = 'registration_number_format';
export const FIRM_REFERENCE_CHECK_NAME = 'firm_reference_number_format';

/**
 * Companies House company-number prefixes (two characters, then six digits). Sources: Companies
 * House's own prefix list as reproduced by register data vendors, cross-checked against a regex
 * tested on the whole register (chguide.co.uk). The list changes now and then; an unknown prefix is
 * a warning, not a failure.
 */
export const COMPANIES_HOUSE_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['SC', 'Scottish company'],
  ['NI', 'Northern Ireland company'],
  ['R0', 'Northern Ireland company (pre-partition)'],
  ['OC', 'limited liability partnership, England and Wales'],
  ['SO', 'limited liability partnership, Scotland'],
  ['NC', 'limited liability partnership, Northern Ireland'],
  ['LP', 'limited partnership, England and Wales'],
  ['SL', 'limited partnership, Scotland'],
  ['NL', 'limited partnership, Northern Ireland'],
  ['SG', 'Scottish qualifying partnership'],
  ['FC', 'overseas company'],
  ['SF', 'overseas company registered in Scotland (before 1 October 2009)'],
  ['NF', 'overseas company registered in Northern Ireland (before 1 October 2009)'],
  ['BR', 'UK establishment of an overseas company (branch)'],
  ['OE', 'overseas entity (Register of Overseas Entities)'],
  ['AC', 'assurance company, England and Wales'],
  ['SA', 'assurance company, Scotland'],
  ['NA', 'assurance company, Northern Ireland'],
  ['ZC', 'unregistered company (s.1043), England and Wales'],
  ['SZ', 'unregistered company (s.1043), Scotland'],
  ['NZ', 'unregistered company (s.1043), Northern Ireland'],
  ['GE', 'European Economic Interest Grouping, England and Wales'],
  ['GS', 'European Economic Interest Grouping, Scotland'],
  ['GN', 'European Economic Interest Grouping, Northern Ireland'],
  ['SE', 'European company (Societas Europaea), England and Wales'],
  ['ES', 'European company (Societas Europaea), Scotland'],
  ['EN', 'European company (Societas Europaea), Northern Ireland'],
  ['CE', 'charitable incorporated organisation, England and Wales'],
  ['CS', 'Scottish charitable incorporated organisation'],
  ['IP', 'industrial and provident society, England and Wales'],
  ['SP', 'industrial and provident society, Scotland'],
  ['NP', 'industrial and provident society, Northern Ireland'],
  ['RS', 'registered society'],
  ['IC', 'investment company with variable capital, England and Wales'],
  ['SI', 'investment company with variable capital, Scotland'],
  ['RC', 'Royal Charter company, England and Wales'],
  ['SR', 'Royal Charter company, Scotland'],
  ['NR', 'Royal Charter company, Northern Ireland'],
]);

/** Upper case, spaces, dots and dashes removed: `sc 12-34.56` → `SC123456`. */
export function normaliseRegistrationNumber(value: string): string {
  return value.toUpperCase().replace(/[\s.\-/]/g, '');
}

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
  if (normalised === '') return checkResult(REGISTRATION_NUMBER_CHECK_NAME, 'fail', 'No registration number given', facts);

  if (cc !== 'GB') {
    return checkResult(REGISTRATION_NUMBER_CHECK_NAME, 'warn', `Registration number format not checked for ${cc || 'an unknown country'}; a reviewer should confirm it against the certificate of incorporation`, {
      ...facts,
      formatChecked: false,
    });
  }

  const digitsOnly = /^\d{1,8}$/.exec(normalised);
  if (digitsOnly) {
    const canonical = normalised.padStart(8, '0');
    if (/^0+$/.test(canonical)) return checkResult(REGISTRATION_NUMBER_CHECK_NAME, 'fail', `${JSON.stringify(number)} is not a Companies House number: it is all zeros`, facts);
    return checkResult(REGISTRATION_NUMBER_CHECK_NAME, 'pass', `${canonical} is a Companies House number (company registered in England and Wales)`, {
      ...facts,
      canonical,
      prefix: null,
      formatChecked: true,
    });
  }

  const prefixed = /^([A-Z][A-Z0-9])(\d{1,6})$/.exec(normalised);
  if (prefixed && COMPANIES_HOUSE_PREFIXES.has(prefixed[1])) {
    const canonical = prefixed[1] + prefixed[2].padStart(6, '0');
    const kind = COMPANIES_HOUSE_PREFIXES.get(prefixed[1]);
    return checkResult(REGISTRATION_NUMBER_CHECK_NAME, 'pass', `${canonical} is a Companies House number (${kind})`, {
      ...facts,
      canonical,
      prefix: prefixed[1],
      formatChecked: true,
    });
  }

  if (/^[A-Z0-9]{8}$/.test(normalised)) {
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
  if (/^\d{6,7}$/.test(normalised)) return checkResult(FIRM_REFERENCE_CHECK_NAME, 'pass', `${normalised} has the format of an FCA firm reference number`, facts);
  return checkResult(FIRM_REFERENCE_CHECK_NAME, 'fail', `${JSON.stringify(frn)} is not an FCA firm reference number: expected 6 or 7 digits`, facts);
}
