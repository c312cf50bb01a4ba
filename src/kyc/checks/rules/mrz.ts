import { CheckResult, checkResult } from './check-result';
import { icaoCode } from '../../../reference/icao-countries';

/**
 * ICAO Doc 9303 machine-readable zones: TD3 (passports, 2 × 44), TD2 (2 × 36) and TD1 (ID cards,
 * 3 × 30). A parser, the 7-3-1 check digits, and `checkMrz`, which compares the MRZ with the
 * person and the upload form.
 */

export const MRZ_CHECK_NAME = 'mrz';

export type MrzFormat = 'TD1' | 'TD2' | 'TD3';

/** The fields protected by a check digit. */
export type MrzCheckedField = 'documentNumber' | 'dateOfBirth' | 'expiryDate' | 'optionalData' | 'composite';

export interface MrzCheckDigit {
  field: MrzCheckedField;
  /** The check digit the data computes to. */
  expected: number;
  /** The character printed in the MRZ. */
  found: string;
  valid: boolean;
}

/** A YYMMDD date; a part ICAO lets an issuer leave unknown (`<<`) is null. */
export interface MrzDate {
  raw: string;
  /** Two-digit year as printed, null when unknown. */
  yy: number | null;
  /** Four-digit year after choosing the century. */
  year: number | null;
  month: number | null;
  day: number | null;
  /** YYYY-MM-DD when all parts are known and form a real date. */
  iso: string | null;
  /** False when a known part is out of range (month 13, 31 February, letters). */
  valid: boolean;
}

export interface ParsedMrz {
  format: MrzFormat;
  /** P, I, A, C, … with the second character when it is not a filler (e.g. `PD`, `ID`). */
  documentCode: string;
  issuingState: string;
  /** Primary identifier, fillers turned to spaces. */
  surname: string;
  /** Secondary identifier, fillers turned to spaces; '' when absent. */
  givenNames: string;
  /** The name field as printed, trailing fillers removed. */
  nameField: string;
  /** The name field is full to its last character, so the name may have been cut short. */
  namesMayBeTruncated: boolean;
  /** Fillers removed; a TD1/TD2 number longer than 9 characters is read whole from the optional data. */
  documentNumber: string;
  nationality: string;
  dateOfBirth: MrzDate;
  sex: 'M' | 'F' | 'X';
  expiryDate: MrzDate;
  /** TD3: the personal number; TD1: optional data of line 1 (after any document-number overflow); fillers removed. */
  optionalData: string;
  /** TD1 only: optional data of line 2, fillers removed. */
  optionalData2: string;
  checkDigits: MrzCheckDigit[];
}

export type MrzParseOutcome = { ok: true; mrz: ParsedMrz } | { ok: false; reason: string };

const DAY_MS = 86_400_000;

function charValue(c: string): number {
  if (c === '<') return 0;
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  throw new RangeError(`not an MRZ character: ${JSON.stringify(c)}`);
}

/** The ICAO 9303 check digit of `data`: weights 7, 3, 1 repeating; `<` = 0, 0-9, A = 10 … Z = 35; sum mod 10. */
export function mrzCheckDigit(data: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += charValue(data[i]) * weights[i % 3];
  return sum % 10;
}

function digit(field: MrzCheckedField, data: string, found: string, fillerIsZero = false): MrzCheckDigit {
  const expected = mrzCheckDigit(data);
  const value = found === '<' && fillerIsZero ? 0 : /^[0-9]$/.test(found) ? Number(found) : NaN;
  return { field, expected, found, valid: value === expected };
}

function stripFillers(s: string): string {
  return s.replace(/</g, '');
}

function utcDayOf(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

type CenturyRule = 'past' | 'within50';

/**
 * Reads YYMMDD. `past` (birth dates): the century that puts the date on or before today.
 * `within50` (expiry dates): the century that puts the year within 50 years either side of now.
 */
function parseMrzDate(raw: string, now: Date, rule: CenturyRule): MrzDate {
  const part = (s: string): number | null | undefined =>
    s === '<<' ? null : /^[0-9]{2}$/.test(s) ? Number(s) : undefined;
  const yy = part(raw.slice(0, 2));
  const month = part(raw.slice(2, 4));
  const day = part(raw.slice(4, 6));
  const date: MrzDate = {
    raw,
    yy: yy ?? null,
    year: null,
    month: month ?? null,
    day: day ?? null,
    iso: null,
    valid: true,
  };
  if (yy === undefined || month === undefined || day === undefined) return { ...date, valid: false };
  if (month !== null && (month < 1 || month > 12)) return { ...date, valid: false };

  if (yy !== null) {
    const nowYear = now.getUTCFullYear();
    let year = 2000 + yy;
    if (rule === 'past') {
      const today = utcDayOf(now);
      const earliest = Date.UTC(year, (month ?? 1) - 1, day ?? 1) / DAY_MS;
      if (earliest > today) year -= 100;
    } else {
      while (year > nowYear + 50) year -= 100;
      while (year < nowYear - 50) year += 100;
    }
    date.year = year;
  }
  if (day !== null) {
    const limit = month === null ? 31 : daysInMonth(date.year ?? 2000, month);
    if (day < 1 || day > limit) return { ...date, valid: false };
  }
  if (date.year !== null && month !== null && day !== null) date.iso = `${date.year}-${pad2(month)}-${pad2(day)}`;
  return date;
}

/** Splits the MRZ text into lines: newlines, or one run of 88 / 72 / 90 characters. Spaces are dropped. */
function mrzLines(text: string): string[] {
  const lines = text
    .toUpperCase()
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(/[ \t]/g, ''))
    .filter((l) => l.length > 0);
  if (lines.length === 1) {
    const [one] = lines;
    const width = one.length === 88 ? 44 : one.length === 72 ? 36 : one.length === 90 ? 30 : 0;
    if (width) return one.match(new RegExp(`.{${width}}`, 'g')) ?? lines;
  }
  return lines;
}

function parseNames(field: string): Pick<ParsedMrz, 'surname' | 'givenNames' | 'nameField' | 'namesMayBeTruncated'> {
  const nameField = field.replace(/<+$/, '');
  const split = nameField.indexOf('<<');
  const primary = split < 0 ? nameField : nameField.slice(0, split);
  const secondary = split < 0 ? '' : nameField.slice(split + 2);
  const words = (s: string) => s.split('<').filter(Boolean).join(' ');
  return {
    surname: words(primary),
    givenNames: words(secondary),
    nameField,
    namesMayBeTruncated: !field.endsWith('<'),
  };
}

/**
 * A TD1/TD2 document number longer than 9 characters: the first 9 in the number field, a filler
 * where its check digit would be, then the rest and the check digit at the start of the optional data.
 */
function documentNumberOf(
  numberField: string,
  checkChar: string,
  optional: string,
  allowOverflow: boolean,
): { number: string; check: MrzCheckDigit; optional: string } | { error: string } {
  if (allowOverflow && checkChar === '<' && !numberField.endsWith('<')) {
    const end = optional.indexOf('<');
    const segment = end < 0 ? optional : optional.slice(0, end);
    if (segment.length < 2)
      return {
        error: 'the document number is marked as continuing in the optional data, but no continuation is there',
      };
    const number = numberField + segment.slice(0, -1);
    return {
      number,
      check: digit('documentNumber', number, segment.slice(-1)),
      optional: optional.slice(segment.length),
    };
  }
  return { number: stripFillers(numberField), check: digit('documentNumber', numberField, checkChar), optional };
}

function sexOf(c: string): 'M' | 'F' | 'X' | undefined {
  return c === 'M' || c === 'F' ? c : c === '<' || c === 'X' ? 'X' : undefined;
}

function documentCodeOf(field: string): string {
  return field[1] === '<' ? field[0] : field;
}

/** Parses a TD1, TD2 or TD3 MRZ (lines separated by newlines). Dates need `now` to choose their century. */
export function parseMrz(text: string, now: Date): MrzParseOutcome {
  const lines = mrzLines(text);
  const bad = lines.find((l) => !/^[A-Z0-9<]*$/.test(l));
  if (bad !== undefined) return { ok: false, reason: 'The MRZ holds characters other than A-Z, 0-9 and <' };
  const shape = lines.map((l) => l.length).join('×');

  let format: MrzFormat;
  if (lines.length === 2 && lines[0].length === 44 && lines[1].length === 44) format = 'TD3';
  else if (lines.length === 2 && lines[0].length === 36 && lines[1].length === 36) format = 'TD2';
  else if (lines.length === 3 && lines.every((l) => l.length === 30)) format = 'TD1';
  else
    return {
      ok: false,
      reason: `The MRZ is not a TD1 (3 lines of 30), TD2 (2 × 36) or TD3 (2 × 44) zone: got ${lines.length} line(s) of ${shape || 0} characters`,
    };

  if (lines[0][0] === 'V') return { ok: false, reason: 'The MRZ is a visa (MRV), not a passport or identity card' };

  const fail = (reason: string): MrzParseOutcome => ({ ok: false, reason });

  if (format === 'TD1') {
    const [l1, l2, l3] = lines;
    const doc = documentNumberOf(l1.slice(5, 14), l1[14], l1.slice(15, 30), true);
    if ('error' in doc) return fail(`The MRZ cannot be read: ${doc.error}`);
    const sex = sexOf(l2[7]);
    if (!sex) return fail(`The MRZ cannot be read: sex is ${JSON.stringify(l2[7])}, not M, F or <`);
    const composite = l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29);
    return {
      ok: true,
      mrz: {
        format,
        documentCode: documentCodeOf(l1.slice(0, 2)),
        issuingState: stripFillers(l1.slice(2, 5)),
        ...parseNames(l3),
        documentNumber: doc.number,
        nationality: stripFillers(l2.slice(15, 18)),
        dateOfBirth: parseMrzDate(l2.slice(0, 6), now, 'past'),
        sex,
        expiryDate: parseMrzDate(l2.slice(8, 14), now, 'within50'),
        optionalData: stripFillers(doc.optional),
        optionalData2: stripFillers(l2.slice(18, 29)),
        checkDigits: [
          doc.check,
          digit('dateOfBirth', l2.slice(0, 6), l2[6]),
          digit('expiryDate', l2.slice(8, 14), l2[14]),
          digit('composite', composite, l2[29]),
        ],
      },
    };
  }

  // TD2 and TD3 share the layout of line 2 up to the optional data.
  const [l1, l2] = lines;
  const width = l1.length;
  const sex = sexOf(l2[20]);
  if (!sex) return fail(`The MRZ cannot be read: sex is ${JSON.stringify(l2[20])}, not M, F or <`);
  const optionalEnd = format === 'TD3' ? 42 : 35;
  const doc = documentNumberOf(l2.slice(0, 9), l2[9], l2.slice(28, optionalEnd), format === 'TD2');
  if ('error' in doc) return fail(`The MRZ cannot be read: ${doc.error}`);
  const checkDigits = [
    doc.check,
    digit('dateOfBirth', l2.slice(13, 19), l2[19]),
    digit('expiryDate', l2.slice(21, 27), l2[27]),
  ];
  if (format === 'TD3') checkDigits.push(digit('optionalData', l2.slice(28, 42), l2[42], true));
  checkDigits.push(digit('composite', l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, width - 1), l2[width - 1]));
  return {
    ok: true,
    mrz: {
      format,
      documentCode: documentCodeOf(l1.slice(0, 2)),
      issuingState: stripFillers(l1.slice(2, 5)),
      ...parseNames(l1.slice(5, width)),
      documentNumber: doc.number,
      nationality: stripFillers(l2.slice(10, 13)),
      dateOfBirth: parseMrzDate(l2.slice(13, 19), now, 'past'),
      sex,
      expiryDate: parseMrzDate(l2.slice(21, 27), now, 'within50'),
      optionalData: stripFillers(doc.optional),
      optionalData2: '',
      checkDigits,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Names

/** ICAO 9303 Part 3 transliterations with two spellings; the other variant strips the mark (Ä → A). */
const EXPANDED_LETTERS: Readonly<Record<string, string>> = { Ä: 'AE', Ö: 'OE', Ü: 'UE', Å: 'AA', Ø: 'OE', Ñ: 'NXX' };
/** Letters that do not decompose into a base letter and marks. */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  Æ: 'AE',
  Œ: 'OE',
  Ø: 'O',
  Đ: 'D',
  Ð: 'D',
  Þ: 'TH',
  Ł: 'L',
  Ħ: 'H',
  Ŧ: 'T',
  Ŋ: 'N',
  ẞ: 'SS',
  Ə: 'A',
};

/**
 * The comparison keys of a name written in the person record: uppercase, transliterated, then
 * everything but A-Z and 0-9 removed (so spaces, hyphens, apostrophes and `<` are all equivalent).
 * Two variants: marks stripped (Ä → A) and ICAO's long forms (Ä → AE, Ø → OE, Ñ → NXX).
 */
export function nameKeys(name: string): string[] {
  const upper = name.normalize('NFC').toUpperCase(); // ß → SS here
  const variant = (expanded: boolean): string => {
    let s = upper;
    if (expanded) s = s.replace(/[ÄÖÜÅØÑ]/g, (c) => EXPANDED_LETTERS[c]);
    s = s.normalize('NFKD').replace(/\p{M}/gu, '');
    s = s.replace(/[^A-Z0-9]/g, (c) => SPECIAL_LETTERS[c] ?? '');
    return s.replace(/[^A-Z0-9]/g, '');
  };
  return [...new Set([variant(false), variant(true)])];
}

/** The comparison key of a name part read from an MRZ. */
function mrzKey(part: string): string {
  return part.replace(/[^A-Z0-9]/g, '');
}

type NameVerdict = 'match' | 'truncated-match' | 'mismatch' | 'not-present';

function compareName(mrzPart: string, personName: string, mayBeTruncated: boolean): NameVerdict {
  const key = mrzKey(mrzPart);
  const keys = nameKeys(personName).filter(Boolean);
  if (keys.length === 0) return 'mismatch';
  if (keys.includes(key)) return 'match';
  if (mayBeTruncated && key.length > 0 && keys.some((k) => k.startsWith(key))) return 'truncated-match';
  return 'mismatch';
}

// ---------------------------------------------------------------------------------------------
// The check

export interface MrzCheckInput {
  mrz: string;
  /** The person the document belongs to; without one, only the check digits and the form are checked (warn). */
  person?: { firstName: string; lastName: string; dateOfBirth: string; nationality: string } | null;
  form: { documentNumber?: string | null; expiresOn?: string | null; issuingCountry?: string | null };
}

interface Mismatch {
  field: string;
  mrz: string;
  expected: string;
  source: 'person' | 'form';
}

const FIELD_LABELS: Readonly<Record<MrzCheckedField, string>> = {
  documentNumber: 'document number',
  dateOfBirth: 'date of birth',
  expiryDate: 'expiry date',
  optionalData: 'personal number (optional data)',
  composite: 'composite (whole line)',
};

function normaliseDocumentNumber(s: string): string {
  return s.toUpperCase().replace(/[\s<-]/g, '');
}

/** Compares the parts of an MRZ date that are known with a YYYY-MM-DD date, on the 2-digit year (no century guess). */
function sameDate(mrz: MrzDate, isoDate: string): boolean | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return (
    (mrz.yy === null || mrz.yy === year % 100) &&
    (mrz.month === null || mrz.month === month) &&
    (mrz.day === null || mrz.day === day)
  );
}

function describeDate(d: MrzDate): string {
  return d.iso ?? `${d.raw} (YYMMDD${d.raw.includes('<') ? ', parts unknown' : ''})`;
}

/**
 * Checks an identity document's MRZ: its check digits, then that it agrees with the person
 * (surname, given names, date of birth, nationality) and the upload form (document number, expiry
 * date, issuing country). Fail on any bad check digit or disagreement; warn when a field could not
 * be compared (no person linked, a nationality code that names no country, a date with unknown
 * parts, a truncated name field without given names); pass otherwise. Whether the document has expired is the expiry
 * check's business, not this one's.
 */
export function checkMrz(input: MrzCheckInput, now: Date): CheckResult {
  const parsed = parseMrz(input.mrz, now);
  if (!parsed.ok) return checkResult(MRZ_CHECK_NAME, 'fail', parsed.reason, { parsed: false });
  const mrz = parsed.mrz;
  const { person, form } = input;

  const problems: string[] = [];
  const cautions: string[] = [];
  const mismatches: Mismatch[] = [];
  const compared: string[] = [];

  const badDigits = mrz.checkDigits.filter((d) => !d.valid);
  for (const d of badDigits) {
    problems.push(
      `the ${FIELD_LABELS[d.field]} check digit is ${JSON.stringify(d.found)} but the data computes to ${d.expected}`,
    );
  }

  const mismatch = (field: string, label: string, mrzValue: string, expected: string, source: 'person' | 'form') => {
    mismatches.push({ field, mrz: mrzValue, expected, source });
    problems.push(
      `${label} differs: MRZ has ${JSON.stringify(mrzValue)}, the ${source === 'person' ? 'person record' : 'upload form'} has ${JSON.stringify(expected)}`,
    );
  };

  // Names.
  const hasSecondary = mrz.nameField.includes('<<');
  let surname: NameVerdict = 'not-present';
  let given: NameVerdict = 'not-present';
  if (!person) {
    cautions.push('the document is linked to no person, so the names, date of birth and nationality were not compared');
  } else {
    surname = compareName(mrz.surname, person.lastName, mrz.namesMayBeTruncated && !hasSecondary);
    compared.push('surname');
    if (surname === 'mismatch') mismatch('surname', 'The surname', mrz.surname, person.lastName, 'person');
    if (!hasSecondary && mrz.namesMayBeTruncated) {
      cautions.push('the name field is cut short before the given names, so they could not be compared');
    } else {
      given = compareName(mrz.givenNames, person.firstName, mrz.namesMayBeTruncated);
      compared.push('givenNames');
      if (given === 'mismatch') mismatch('givenNames', 'The given names', mrz.givenNames, person.firstName, 'person');
    }
  }

  // Date of birth.
  if (!mrz.dateOfBirth.valid) {
    problems.push(`the date of birth in the MRZ (${mrz.dateOfBirth.raw}) is not a valid date`);
  } else if (person) {
    const same = sameDate(mrz.dateOfBirth, person.dateOfBirth);
    compared.push('dateOfBirth');
    if (same === undefined)
      cautions.push(`the person's date of birth ${JSON.stringify(person.dateOfBirth)} is not a YYYY-MM-DD date`);
    else if (!same)
      mismatch('dateOfBirth', 'The date of birth', describeDate(mrz.dateOfBirth), person.dateOfBirth, 'person');
    else if (mrz.dateOfBirth.iso === null)
      cautions.push(
        `the MRZ date of birth ${mrz.dateOfBirth.raw} has unknown parts; only the known parts were compared`,
      );
  }

  // Nationality and issuing state: alpha-3 (or ICAO) against the record's alpha-2.
  const country = (
    field: 'nationality' | 'issuingState',
    label: string,
    code: string,
    expected: string | null | undefined,
    source: 'person' | 'form',
  ) => {
    const known = icaoCode(code);
    if (!known) {
      problems.push(`the ${label} code ${JSON.stringify(code)} in the MRZ is neither an ISO 3166-1 nor an ICAO code`);
      return;
    }
    if (!expected) return;
    compared.push(field);
    if (known.alpha2 === null) {
      cautions.push(
        `the ${label} code ${code} in the MRZ means ${known.note ?? 'no country'}, so it cannot be compared with ${JSON.stringify(expected)}`,
      );
    } else {
      const want = expected.trim().toUpperCase();
      if (want !== known.alpha2 && want !== code)
        mismatch(field, `The ${label}`, `${code} (${known.alpha2})`, expected, source);
    }
  };
  country('nationality', 'nationality', mrz.nationality, person?.nationality, 'person');
  country('issuingState', 'issuing state', mrz.issuingState, form.issuingCountry, 'form');

  // Form fields.
  if (form.documentNumber) {
    compared.push('documentNumber');
    if (normaliseDocumentNumber(form.documentNumber) !== mrz.documentNumber) {
      mismatch('documentNumber', 'The document number', mrz.documentNumber, form.documentNumber, 'form');
    }
  }
  if (!mrz.expiryDate.valid) {
    problems.push(`the expiry date in the MRZ (${mrz.expiryDate.raw}) is not a valid date`);
  } else if (form.expiresOn) {
    compared.push('expiryDate');
    if (mrz.expiryDate.iso === null) cautions.push(`the MRZ expiry date ${mrz.expiryDate.raw} has unknown parts`);
    else if (mrz.expiryDate.iso !== form.expiresOn.trim())
      mismatch('expiryDate', 'The expiry date', mrz.expiryDate.iso, form.expiresOn, 'form');
  }

  const facts = {
    format: mrz.format,
    documentCode: mrz.documentCode,
    issuingState: mrz.issuingState,
    nationality: mrz.nationality,
    expiryDate: mrz.expiryDate.iso,
    namesMayBeTruncated: mrz.namesMayBeTruncated,
    nameMatch: { surname, givenNames: given },
    checkDigits: mrz.checkDigits.map(({ field, valid }) => ({ field, valid })),
    badCheckDigits: badDigits.map((d) => d.field),
    mismatches,
    compared,
    cautions,
  };
  const sentence = (items: string[]) => items.map((s) => s[0].toUpperCase() + s.slice(1)).join('; ') + '.';

  if (problems.length > 0) return checkResult(MRZ_CHECK_NAME, 'fail', sentence(problems), facts);
  if (cautions.length > 0)
    return checkResult(MRZ_CHECK_NAME, 'warn', `The MRZ check digits hold, but ${cautions.join('; ')}.`, facts);
  const truncatedNote =
    surname === 'truncated-match' || given === 'truncated-match'
      ? ' (the MRZ name is cut short and matches as a prefix)'
      : '';
  return checkResult(
    MRZ_CHECK_NAME,
    'pass',
    `The ${mrz.format} MRZ check digits hold and it agrees with the person and the form${truncatedNote}.`,
    facts,
  );
}
