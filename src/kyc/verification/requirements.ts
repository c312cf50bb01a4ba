/**
 * What an organisation still has to provide before it can submit for verification (and what it
 * will need soon), derived from its current data. Pure: no NestJS, no database, the clock passed in.
 *
 * SPEC "Organisations (KYB)": requirements to submit are complete organisation details; at least
 * one director; every UBO (25 % or more) listed; an identity document for every director and UBO;
 * a certificate of incorporation; a firm reference number where the status is FCA-regulated.
 * `currentlyDue` names exactly what is missing; `eventuallyDue` what will be needed (a document
 * expiring, re-verification); `pastDue` what missed its deadline. Reviewer `request_info` items
 * become `errors`.
 *
 * Conventions (decisions where the spec is silent):
 * - Every requirement with an error is also in `currentlyDue`, so "nothing currently due" is the
 *   one test for submit. `pastDue` ⊆ `currentlyDue`. `eventuallyDue` is disjoint from `currentlyDue`.
 * - Dates: identity-document expiry is a calendar date (UTC). A document is valid through its
 *   expiry day; it is expired from the next day; "expiring within 90 days" includes day 90.
 * - Re-verification is due 12 calendar months after approval (29 Feb → 28 Feb), announced in
 *   `eventuallyDue` from 30 days (inclusive) before.
 * - A requested item is past due once `now` is after its deadline.
 * - Documents with status `deleted` or `rejected` do not count; any other status does (a document
 *   still being checked counts: the checks, not the requirements, judge it).
 * - All lists are sorted by code-unit order (locale-independent), duplicates removed.
 */

export const IDENTITY_DOCUMENT_TYPES = ['passport', 'driving_licence', 'national_id'] as const;
export const DOCUMENT_TYPES = [
  ...IDENTITY_DOCUMENT_TYPES,
  'proof_of_address',
  'certificate_of_incorporation',
  'shareholder_register',
  'regulatory_licence',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const PERSON_ROLES = ['director', 'ubo'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** Statuses of a document that make it not count towards any requirement. */
export const NON_COUNTING_DOCUMENT_STATUSES: readonly string[] = ['deleted', 'rejected'];

/** A UBO is someone holding this percentage or more (SPEC: "25 % or more"). */
export const UBO_THRESHOLD_PERCENT = 25;
export const DOCUMENT_EXPIRY_WARNING_DAYS = 90;
export const REVERIFICATION_MONTHS = 12;
export const REVERIFICATION_WARNING_DAYS = 30;

/** Dates may arrive as Date (timestamptz) or as 'YYYY-MM-DD' strings (TypeORM `date` columns). */
export type DateLike = Date | string;

/** Structurally compatible with the Organisation entity; fields optional so a draft can be judged. */
export interface RequirementsOrganisation {
  legalName?: string | null;
  registrationNumber?: string | null;
  country?: string | null;
  registeredAddress?: {
    line1?: string | null;
    city?: string | null;
    postcode?: string | null;
    country?: string | null;
  } | null;
  regulatoryStatus?: {
    type?: 'fca_authorised' | 'fca_registered' | 'unregulated' | null;
    firmReferenceNumber?: string | null;
  } | null;
}

export interface RequirementsPerson {
  id: string;
  firstName?: string | null;
  lastName?: string | null;
  dateOfBirth?: DateLike | null;
  nationality?: string | null;
  roles: readonly PersonRole[];
  ownershipPercent?: number | null;
}

export interface RequirementsDocument {
  id: string;
  type: DocumentType;
  personId: string | null;
  expiresOn?: DateLike | null;
  status: string;
}

export interface RequestedItem {
  requirement: string;
  message: string;
  deadline: Date;
  resolvedAt?: Date | null;
}

export interface RequirementsInput {
  organisation: RequirementsOrganisation;
  people: readonly RequirementsPerson[];
  documents: readonly RequirementsDocument[];
  requestedItems?: readonly RequestedItem[];
  approvedAt?: Date | null;
}

export interface RequirementError {
  requirement: string;
  message: string;
}

export interface Requirements {
  currentlyDue: string[];
  eventuallyDue: string[];
  pastDue: string[];
  errors: RequirementError[];
}

/** Requirement names (SPEC examples: `person.<id>.identity_document`, `organisation.certificate_of_incorporation`). */
export const REQUIREMENT = {
  legalName: 'organisation.legal_name',
  registrationNumber: 'organisation.registration_number',
  registeredAddress: 'organisation.registered_address',
  country: 'organisation.country',
  regulatoryStatus: 'organisation.regulatory_status',
  firmReferenceNumber: 'organisation.firm_reference_number',
  director: 'organisation.director',
  uboOwnershipTotal: 'organisation.ubo_ownership_total',
  certificateOfIncorporation: 'organisation.certificate_of_incorporation',
  reverification: 'organisation.reverification',
  person: (
    id: string,
    field: 'identity_document' | 'ownership_percent' | 'first_name' | 'last_name' | 'date_of_birth' | 'nationality',
  ) => `person.${id}.${field}`,
} as const;

const DAY_MS = 86_400_000;
const FCA_TYPES: readonly string[] = ['fca_authorised', 'fca_registered'];
const IDENTITY_TYPES: readonly string[] = IDENTITY_DOCUMENT_TYPES;

function blank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

/** Days since the epoch of the UTC calendar date of `value`; NaN when unreadable. */
function utcDay(value: DateLike): number {
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
    return Math.floor(new Date(value).getTime() / DAY_MS);
  }
  return Math.floor(value.getTime() / DAY_MS);
}

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `date` plus `months` calendar months (UTC), clamped to the month's last day. */
export function addMonthsUtc(date: Date, months: number): Date {
  const target = new Date(date.getTime());
  const day = target.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

/** When re-verification falls due for an organisation approved at `approvedAt`. */
export function reverificationDueAt(approvedAt: Date): Date {
  return addMonthsUtc(approvedAt, REVERIFICATION_MONTHS);
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(byCodeUnits);
}

export function deriveRequirements(input: RequirementsInput, now: Date): Requirements {
  const due = new Set<string>();
  const eventually = new Set<string>();
  const past = new Set<string>();
  const errors: RequirementError[] = [];
  const fail = (requirement: string, message: string) => {
    due.add(requirement);
    errors.push({ requirement, message });
  };
  const today = utcDay(now);

  // Organisation details.
  const org = input.organisation;
  if (blank(org.legalName)) due.add(REQUIREMENT.legalName);
  if (blank(org.registrationNumber)) due.add(REQUIREMENT.registrationNumber);
  if (blank(org.country)) due.add(REQUIREMENT.country);
  const address = org.registeredAddress;
  if (!address || blank(address.line1) || blank(address.city) || blank(address.postcode) || blank(address.country)) {
    due.add(REQUIREMENT.registeredAddress);
  }
  const regulatoryType = org.regulatoryStatus?.type;
  if (!regulatoryType) due.add(REQUIREMENT.regulatoryStatus);
  else if (FCA_TYPES.includes(regulatoryType) && blank(org.regulatoryStatus?.firmReferenceNumber)) {
    due.add(REQUIREMENT.firmReferenceNumber);
  }

  // People.
  const people = input.people;
  if (!people.some((p) => p.roles.includes('director'))) due.add(REQUIREMENT.director);

  let uboTotalHundredths = 0;
  for (const person of people) {
    if (blank(person.firstName)) due.add(REQUIREMENT.person(person.id, 'first_name'));
    if (blank(person.lastName)) due.add(REQUIREMENT.person(person.id, 'last_name'));
    if (!person.dateOfBirth || Number.isNaN(utcDay(person.dateOfBirth)))
      due.add(REQUIREMENT.person(person.id, 'date_of_birth'));
    if (blank(person.nationality)) due.add(REQUIREMENT.person(person.id, 'nationality'));

    if (person.roles.includes('ubo')) {
      const pct = person.ownershipPercent;
      const name = REQUIREMENT.person(person.id, 'ownership_percent');
      if (pct === null || pct === undefined || !Number.isFinite(pct)) {
        fail(name, 'A beneficial owner needs their ownership percentage');
      } else if (pct < UBO_THRESHOLD_PERCENT) {
        fail(name, `A beneficial owner holds ${UBO_THRESHOLD_PERCENT}% or more; ${pct}% is below that`);
      } else if (pct > 100) {
        fail(name, `An ownership percentage cannot exceed 100% (got ${pct}%)`);
      } else {
        uboTotalHundredths += Math.round(pct * 100);
      }
    }
  }
  if (uboTotalHundredths > 100 * 100) {
    fail(
      REQUIREMENT.uboOwnershipTotal,
      `The beneficial owners' percentages add up to ${uboTotalHundredths / 100}%, more than 100%`,
    );
  }

  // Documents.
  const counting = input.documents.filter((d) => !NON_COUNTING_DOCUMENT_STATUSES.includes(d.status));

  for (const person of people) {
    if (!person.roles.includes('director') && !person.roles.includes('ubo')) continue;
    const name = REQUIREMENT.person(person.id, 'identity_document');
    const ids = counting.filter((d) => d.personId === person.id && IDENTITY_TYPES.includes(d.type));
    if (ids.length === 0) {
      due.add(name);
      continue;
    }
    // The identity document that stays valid longest decides; no expiry date means it does not expire.
    const validUntil = ids
      .map((d) => (d.expiresOn == null ? Infinity : utcDay(d.expiresOn)))
      .filter((day) => !Number.isNaN(day));
    if (validUntil.length === 0) {
      fail(name, 'The identity document has an expiry date that cannot be read; upload it again');
      continue;
    }
    const lastValidDay = Math.max(...validUntil);
    if (lastValidDay < today) {
      fail(name, `The identity document expired on ${isoDay(lastValidDay)}; upload a current one`);
    } else if (lastValidDay - today <= DOCUMENT_EXPIRY_WARNING_DAYS) {
      eventually.add(name);
    }
  }

  if (!counting.some((d) => d.type === 'certificate_of_incorporation')) due.add(REQUIREMENT.certificateOfIncorporation);

  // Re-verification.
  if (input.approvedAt) {
    const dueAt = reverificationDueAt(input.approvedAt).getTime();
    if (now.getTime() >= dueAt) due.add(REQUIREMENT.reverification);
    else if (dueAt - now.getTime() <= REVERIFICATION_WARNING_DAYS * DAY_MS) eventually.add(REQUIREMENT.reverification);
  }

  // Items a reviewer asked for (request_info), until resolved.
  for (const item of input.requestedItems ?? []) {
    if (item.resolvedAt) continue;
    fail(item.requirement, item.message);
    if (now.getTime() > item.deadline.getTime()) past.add(item.requirement);
  }

  const seen = new Set<string>();
  const uniqueErrors = errors.filter((e) => {
    const key = JSON.stringify([e.requirement, e.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  return {
    currentlyDue: sortedUnique(due),
    eventuallyDue: sortedUnique([...eventually].filter((r) => !due.has(r))),
    pastDue: sortedUnique(past),
    errors: uniqueErrors.sort((a, b) => byCodeUnits(a.requirement, b.requirement) || byCodeUnits(a.message, b.message)),
  };
}
