/**
 * Companies House company numbers: their printed forms, prefixes and canonical shape. Shared by
 * the edge (DTOs normalise and refuse what cannot be one) and the registry-format check (which
 * grades it for a reviewer), so both read a number the same way.
 */

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

/** What a normalised string is as a Companies House number. */
export type CompaniesHouseReading =
  /** 8 digits (England and Wales) or a known prefix and 6 digits; leading zeros put back. */
  | { shape: 'known'; canonical: string; prefix: string | null; kind?: string }
  /** 8 characters with an unknown prefix or an unusual shape (e.g. `NI12345A`): a reviewer confirms it. */
  | { shape: 'unusual' }
  /** Digits that are all zeros. */
  | { shape: 'zeros' }
  | { shape: 'invalid' };

/**
 * Reads a normalised number (see normaliseRegistrationNumber): `1234567` → `01234567`,
 * `SC12345` → `SC012345`. Formats only; whether the company exists is the register's business.
 */
export function readCompaniesHouseNumber(normalised: string): CompaniesHouseReading {
  if (/^\d{1,8}$/.test(normalised)) {
    const canonical = normalised.padStart(8, '0');
    return /^0+$/.test(canonical) ? { shape: 'zeros' } : { shape: 'known', canonical, prefix: null };
  }
  const prefixed = /^([A-Z][A-Z0-9])(\d{1,6})$/.exec(normalised);
  if (prefixed && COMPANIES_HOUSE_PREFIXES.has(prefixed[1]!)) {
    const prefix = prefixed[1]!;
    return {
      shape: 'known',
      canonical: prefix + prefixed[2]!.padStart(6, '0'),
      prefix,
      kind: COMPANIES_HOUSE_PREFIXES.get(prefix),
    };
  }
  if (/^[A-Z0-9]{8}$/.test(normalised)) return { shape: 'unusual' };
  return { shape: 'invalid' };
}
