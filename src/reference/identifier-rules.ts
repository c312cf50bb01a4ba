import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';
import { ICAO_SPECIAL_CODES, ISO_ALPHA3_TO_ALPHA2 } from './icao-countries';
import { normaliseRegistrationNumber, readCompaniesHouseNumber } from './companies-house';

/**
 * The identifiers people type into KYB forms, checked and normalised at the edge so that what is
 * stored is what the checks later compare: the same tables and rules as the checks, not a second
 * opinion. Each rule is a pure function (specified in identifier-rules.spec.ts) with a
 * class-validator decorator or transform beside it for the DTOs.
 */

type Transformed = { value: unknown; obj?: Record<string, unknown> };

// ---------------------------------------------------------------------------------------------
// Countries and nationalities

/**
 * The alpha-2 codes accepted for a country or a nationality: every ISO 3166-1 code the ICAO 9303
 * table knows, plus the two-letter codes ICAO maps its own codes to, which adds XK (Kosovo, the
 * user-assigned code the EU and ICAO's RKS use). Passports carry these, so a person or company from
 * any of them can be onboarded; class-validator's ISO list lacks XK.
 */
export const COUNTRY_CODES: ReadonlySet<string> = new Set([
  ...ISO_ALPHA3_TO_ALPHA2.values(),
  ...[...ICAO_SPECIAL_CODES.values()].flatMap((c) => (c.alpha2 && /^[A-Z]{2}$/.test(c.alpha2) ? [c.alpha2] : [])),
]);

/** A country code in COUNTRY_CODES (apply `toUpperCode` first). */
export function IsCountryCode(options?: ValidationOptions): PropertyDecorator {
  return (target: object, property: string | symbol) =>
    registerDecorator({
      name: 'isCountryCode',
      target: target.constructor,
      propertyName: property as string,
      options: { message: `${String(property)} must be an ISO 3166-1 alpha-2 country code, e.g. GB or XK`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && COUNTRY_CODES.has(value) },
    });
}

// ---------------------------------------------------------------------------------------------
// Postcodes

/** Places whose postcodes are in the UK format: GB and the Crown Dependencies (GY, JE, IM postcodes). */
export const UK_POSTCODE_COUNTRIES: ReadonlySet<string> = new Set(['GB', 'GG', 'JE', 'IM']);

/**
 * UK postcode: outward code (area letters, district) and inward code (sector digit, two unit
 * letters), per the UK Government Data Standards Catalogue's BS 7666 pattern, plus GIR 0AA
 * (Girobank). Letters the Royal Mail never uses in a position are refused (no Q, V, X first; no
 * C, I, K, M, O, V in the unit).
 */
const UK_OUTWARD = '[A-PR-UWYZ](?:\\d{1,2}|[A-HK-Y]\\d{1,2}|\\d[A-HJKPSTUW]|[A-HK-Y]\\d[ABEHMNPRV-Y])';
const UK_POSTCODE = new RegExp(`^(?:GIR0AA|${UK_OUTWARD}\\d[ABD-HJLNP-UW-Z]{2})$`);
/** Elsewhere: 2 to 10 letters and digits, single spaces or hyphens between (every national format fits). */
const OTHER_POSTCODE = /^[A-Z0-9](?:[ -]?[A-Z0-9]){1,9}$/;

/**
 * The postcode as it should be stored for `country`, or undefined when it is not one. UK format:
 * upper case, one space before the inward code (`ec2v8au` → `EC2V 8AU`); elsewhere upper case
 * with runs of spaces made single.
 */
export function normalisePostcode(postcode: string, country: string | undefined): string | undefined {
  const upper = postcode.trim().toUpperCase().replace(/\s+/g, ' ');
  if (country && UK_POSTCODE_COUNTRIES.has(country.trim().toUpperCase())) {
    const compact = upper.replace(/ /g, '');
    return UK_POSTCODE.test(compact) ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : undefined;
  }
  return OTHER_POSTCODE.test(upper) ? upper : undefined;
}

const stringOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Transform for a postcode beside a `country` property: normalised when valid, else left for the validator. */
export const toPostcode = ({ value, obj }: Transformed): unknown =>
  typeof value === 'string' ? (normalisePostcode(value, stringOr(obj?.country)) ?? value) : value;

/** A postcode valid for the `country` property of the same object. */
export function IsPostcodeOf(countryProperty: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, property: string | symbol) =>
    registerDecorator({
      name: 'isPostcodeOf',
      target: target.constructor,
      propertyName: property as string,
      options: {
        message: (args: ValidationArguments) => {
          const country = (args.object as Record<string, unknown>)[countryProperty];
          return typeof country === 'string' && UK_POSTCODE_COUNTRIES.has(country)
            ? `${String(property)} must be a UK postcode such as EC2V 8AU`
            : `${String(property)} must be 2-10 letters and digits, with single spaces or hyphens between`;
        },
        ...options,
      },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const country = (args.object as Record<string, unknown>)[countryProperty];
          return typeof value === 'string' && normalisePostcode(value, stringOr(country)) === value;
        },
      },
    });
}

// ---------------------------------------------------------------------------------------------
// Dates

/** Oldest accepted age, in years: beyond the oldest documented human lifespan. */
export const MAX_AGE_YEARS = 120;

/** Why `value` is not a calendar date written YYYY-MM-DD (ISO 8601 extended, the only form stored). */
export function calendarDateProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'must be a date written YYYY-MM-DD';
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const same = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  if (!same) return 'is not a date in the calendar';
  return undefined;
}

/** Why `value` cannot be a living person's date of birth on `today` (UTC): future, or over 120 years ago. */
export function dateOfBirthProblem(value: unknown, today: Date): string | undefined {
  const problem = calendarDateProblem(value);
  if (problem) return problem;
  const iso = today.toISOString().slice(0, 10);
  if ((value as string) > iso) return 'is in the future';
  const oldest = `${String(today.getUTCFullYear() - MAX_AGE_YEARS).padStart(4, '0')}${iso.slice(4)}`;
  if ((value as string) < oldest) return `is more than ${MAX_AGE_YEARS} years ago`;
  return undefined;
}

type Problem = (value: unknown) => string | undefined;

function dateDecorator(name: string, problem: Problem, options?: ValidationOptions): PropertyDecorator {
  return (target: object, property: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: property as string,
      options: { message: (a: ValidationArguments) => `${a.property} ${problem(a.value) ?? 'is invalid'}`, ...options },
      validator: { validate: (value: unknown) => problem(value) === undefined },
    });
}

/** A calendar date written YYYY-MM-DD. */
export const IsCalendarDate = (options?: ValidationOptions) =>
  dateDecorator('isCalendarDate', calendarDateProblem, options);

/** A date of birth: a calendar date, not in the future, at most 120 years ago (the clock read at validation). */
export const IsDateOfBirth = (options?: ValidationOptions) =>
  dateDecorator('isDateOfBirth', (v) => dateOfBirthProblem(v, new Date()), options);

// ---------------------------------------------------------------------------------------------
// Registry identifiers

/** Separators people type or copy from certificates (`SC 012345`, `12-34-56-78`) removed, upper case. */
export const toRegistrationNumber = ({ value }: Transformed): unknown =>
  typeof value === 'string' ? normaliseRegistrationNumber(value.trim()) : value;

/**
 * The registration number as stored for `country`, or a problem. GB: the Companies House canonical
 * form (`SC12345` → `SC012345`, `1234567` → `01234567`), refusing what the registry check would fail
 * (it warns on 8 characters with an unknown prefix, so those are kept for a reviewer). Elsewhere
 * the format is not known: 2-32 letters and digits.
 */
export function canonicalRegistrationNumber(country: string, number: string): { value: string } | { problem: string } {
  const normalised = normaliseRegistrationNumber(number.trim());
  if (!/^[A-Z0-9]{2,32}$/.test(normalised)) return { problem: 'must be 2-32 letters and digits' };
  if (country !== 'GB') return { value: normalised };
  const read = readCompaniesHouseNumber(normalised);
  if (read.shape === 'zeros' || read.shape === 'invalid') {
    return { problem: 'must be a Companies House number: 8 digits, or a prefix such as SC, NI or OC and 6 digits' };
  }
  return { value: read.shape === 'known' ? read.canonical : normalised };
}

/** FCA firm reference numbers are printed in groups (`123 456`): the spaces are not part of it. */
export const toFirmReferenceNumber = ({ value }: Transformed): unknown =>
  typeof value === 'string' ? value.replace(/\s+/g, '') : value;

/** Document numbers as printed (`SMITH 802030 J99AB`), kept without the spaces and hyphens an MRZ cannot hold. */
export const toDocumentNumber = ({ value }: Transformed): unknown =>
  typeof value === 'string' ? value.toUpperCase().replace(/[\s-]+/g, '') : value;
