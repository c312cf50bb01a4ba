import { CsvError, Options, parse } from 'csv-parse/sync';
import { parseNationalities } from './countries';

/**
 * The UK HM Treasury (OFSI) consolidated list, CSV edition ("ConList.csv").
 *
 * Line 1 is `Last Updated,<dd/mm/yyyy>`, line 2 the header ({@link HMT_COLUMNS}), then one row per
 * name: every alias of a designation is its own row, and rows of one designation share a Group ID.
 * Name 6 is the surname (or the whole name of an entity or ship), Name 1–5 the other names.
 * DOB is `dd/mm/yyyy` with `00` for unknown parts; a designation with several dates of birth has
 * them on different rows. The parser accepts a UTF-8 byte-order mark, CRLF or LF line endings and
 * RFC 4180 quoting (commas, doubled quotes and line breaks inside quoted fields), and finds columns
 * by header name, so their order does not matter.
 */

export const HMT_COLUMNS = [
  'Name 6',
  'Name 1',
  'Name 2',
  'Name 3',
  'Name 4',
  'Name 5',
  'Title',
  'Name Non-Latin Script',
  'Non-Latin Script Type',
  'Non-Latin Script Language',
  'DOB',
  'Town of Birth',
  'Country of Birth',
  'Nationality',
  'Passport Number',
  'Passport Details',
  'National Identification Number',
  'National Identification Details',
  'Position',
  'Address 1',
  'Address 2',
  'Address 3',
  'Address 4',
  'Address 5',
  'Address 6',
  'Post/Zip Code',
  'Country',
  'Other Information',
  'Group Type',
  'Alias Type',
  'Alias Quality',
  'Regime',
  'Listed On',
  'UK Sanctions List Date Designated',
  'Last Updated',
  'Group ID',
] as const;

export type HmtColumn = (typeof HMT_COLUMNS)[number];
export type HmtRow = Partial<Record<HmtColumn, string>>;

export type DesignationType = 'individual' | 'entity' | 'ship';

export interface DesignationName {
  /** The name as listed: Name 1–5 then Name 6, single-spaced (or the non-Latin script form). */
  full: string;
  /** "Primary name", "AKA", "FKA", "Primary name variation", or "Non-Latin script". */
  aliasType: string;
  /**
   * Individuals only, when the row also has given names: Name 6 (the surname), which ends `full`.
   * The matcher uses it to tell a missing middle name (tolerated) from a missing surname.
   */
  surname?: string;
}

export interface PartialDate {
  year: number;
  month?: number;
  day?: number;
}

export interface Designation {
  groupId: string;
  type: DesignationType;
  names: DesignationName[];
  dobs: PartialDate[];
  /** ISO 3166-1 alpha-2 where the country name is known, otherwise the text as listed. */
  nationalities: string[];
  regime: string;
  /** "Listed On" as `YYYY-MM-DD` (as written if it is not `dd/mm/yyyy`). */
  listedOn: string;
}

export interface HmtList {
  /** The date on the `Last Updated` line, as written; null if the file has none. */
  lastUpdated: string | null;
  designations: Designation[];
  /** Data rows read (one per name). */
  rows: number;
}

export class HmtListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HmtListError';
  }
}

/**
 * csv-parse settings for RFC 4180 as the list is written: a BOM is dropped; CRLF, LF and lone CR all
 * end a record, even mixed in one file (csv-parse would otherwise keep only the first one it sees);
 * rows may be shorter than the header (the `Last Updated` line is); a stray quote inside an
 * unquoted field is kept literally, as spreadsheets write it.
 */
const CSV_OPTIONS: Options = {
  bom: true,
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: true,
  relax_quotes: true,
};

/** Line breaks as a reader counts them: CRLF is one. */
const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * RFC 4180 CSV (via csv-parse): fields separated by commas, records by CRLF, LF or CR; a field in
 * double quotes may contain commas, line breaks (kept as written) and `""` (one quote). A leading
 * UTF-8 BOM is ignored; a blank line is a record of one empty field. Returns each record with the
 * (1-based) line it starts on. Throws {@link HmtListError} for text that is not CSV, e.g. an
 * unterminated quoted field.
 */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  let parsed: string[][];
  try {
    parsed = parse(text, CSV_OPTIONS);
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const what = e.code === 'CSV_QUOTE_NOT_CLOSED' ? 'unterminated quoted field: ' : '';
    throw new HmtListError(`CSV: ${what}${e.message}`);
  }
  // csv-parse's own line count is off by one for each CRLF inside a quoted field, so the start
  // lines are counted here: each record ends one line break after the breaks inside its fields.
  const records: { line: number; fields: string[] }[] = new Array(parsed.length);
  let line = 1;
  for (let r = 0; r < parsed.length; r += 1) {
    const fields = parsed[r];
    records[r] = { line, fields };
    line += 1;
    for (const f of fields) line += f.match(LINE_BREAK)?.length ?? 0;
  }
  return records;
}

const DATE = /(\d{1,2})\/(\d{1,2})\/(\d{4})/g;

/** Dates of birth in a DOB cell: `dd/mm/yyyy` with `00` for unknown day/month, or a bare year. */
export function parseDobs(cell: string): PartialDate[] {
  const out: PartialDate[] = [];
  const text = cell.trim();
  if (text === '') return out;
  for (const m of text.matchAll(DATE)) {
    const day = Number(m[1]);
    const month = Number(m[2]);
    const year = Number(m[3]);
    if (year === 0) continue;
    const d: PartialDate = { year };
    if (month >= 1 && month <= 12) d.month = month;
    if (day >= 1 && day <= 31 && d.month !== undefined) d.day = day;
    out.push(d);
  }
  if (out.length === 0) {
    for (const m of text.matchAll(/\b(1[89]\d\d|20\d\d)\b/g)) out.push({ year: Number(m[1]) });
  }
  return out;
}

function isoDate(cell: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(cell.trim());
  if (!m) return cell.trim();
  return `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
}

function designationType(raw: string, line: number): DesignationType {
  switch (raw.trim().toLowerCase()) {
    case 'individual':
      return 'individual';
    case 'entity':
      return 'entity';
    case 'ship':
      return 'ship';
    default:
      throw new HmtListError(`line ${line}: unknown Group Type "${raw}"`);
  }
}

const REQUIRED: readonly HmtColumn[] = ['Name 6', 'Group Type', 'Group ID'];
const NAME_PARTS: readonly HmtColumn[] = ['Name 1', 'Name 2', 'Name 3', 'Name 4', 'Name 5', 'Name 6'];

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Parses a ConList.csv text into designations grouped by Group ID (in order of first appearance). */
export function parseHmtList(text: string): HmtList {
  const records = parseCsv(text);
  let lastUpdated: string | null = null;
  let headerAt = -1;
  for (let r = 0; r < records.length && r < 5; r += 1) {
    const first = records[r].fields[0]?.trim() ?? '';
    if (first.toLowerCase() === 'last updated') {
      lastUpdated = records[r].fields[1]?.trim() || null;
    } else if (records[r].fields.some((f) => f.trim() === 'Group ID')) {
      headerAt = r;
      break;
    }
  }
  if (headerAt < 0) throw new HmtListError('no header row with "Group ID" in the first five lines');
  const header = records[headerAt].fields.map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(h)) index.set(h, i);
  });
  for (const col of REQUIRED) if (!index.has(col)) throw new HmtListError(`header lacks the "${col}" column`);
  const get = (fields: string[], col: HmtColumn): string => {
    const i = index.get(col);
    return i === undefined ? '' : (fields[i] ?? '').trim();
  };

  const byGroup = new Map<string, Designation>();
  const seen = new Map<string, { names: Set<string>; dobs: Set<string>; nats: Set<string> }>();
  let rows = 0;
  for (let r = headerAt + 1; r < records.length; r += 1) {
    const { line, fields } = records[r];
    if (fields.every((f) => f.trim() === '')) continue;
    rows += 1;
    const groupId = get(fields, 'Group ID');
    if (groupId === '') throw new HmtListError(`line ${line}: empty Group ID`);
    const type = designationType(get(fields, 'Group Type'), line);
    let d = byGroup.get(groupId);
    let s = seen.get(groupId);
    if (!d || !s) {
      d = { groupId, type, names: [], dobs: [], nationalities: [], regime: '', listedOn: '' };
      s = { names: new Set(), dobs: new Set(), nats: new Set() };
      byGroup.set(groupId, d);
      seen.set(groupId, s);
    } else if (d.type !== type) {
      throw new HmtListError(`line ${line}: Group ID ${groupId} is both ${d.type} and ${type}`);
    }
    const aliasType = get(fields, 'Alias Type') || 'Primary name';
    const full = collapse(
      NAME_PARTS.map((c) => get(fields, c))
        .filter((p) => p !== '')
        .join(' '),
    );
    if (full === '') throw new HmtListError(`line ${line}: no name in Name 1–6`);
    const addName = (name: DesignationName): void => {
      if (!s.names.has(name.full)) {
        s.names.add(name.full);
        // Primary names first, so that names[0] is the primary name whatever the row order.
        if (name.aliasType === 'Primary name') d.names.unshift(name);
        else d.names.push(name);
      }
    };
    const surname = collapse(get(fields, 'Name 6'));
    const hasGiven = NAME_PARTS.slice(0, 5).some((c) => get(fields, c) !== '');
    addName(type === 'individual' && hasGiven && surname !== '' ? { full, aliasType, surname } : { full, aliasType });
    const nonLatin = collapse(get(fields, 'Name Non-Latin Script'));
    if (nonLatin !== '') addName({ full: nonLatin, aliasType: 'Non-Latin script' });
    for (const dob of parseDobs(get(fields, 'DOB'))) {
      const key = `${dob.year}-${dob.month ?? 0}-${dob.day ?? 0}`;
      if (!s.dobs.has(key)) {
        s.dobs.add(key);
        d.dobs.push(dob);
      }
    }
    for (const nat of parseNationalities(get(fields, 'Nationality'))) {
      if (!s.nats.has(nat)) {
        s.nats.add(nat);
        d.nationalities.push(nat);
      }
    }
    const regime = get(fields, 'Regime');
    if (d.regime === '' || (aliasType === 'Primary name' && regime !== '')) d.regime = regime || d.regime;
    const listedOn = get(fields, 'Listed On');
    if (d.listedOn === '' && listedOn !== '') d.listedOn = isoDate(listedOn);
  }
  return { lastUpdated, designations: [...byGroup.values()], rows };
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes rows in the ConList.csv layout (Last Updated line, header, CRLF line endings). */
export function formatHmtCsv(lastUpdated: string, rows: readonly HmtRow[]): string {
  const lines = [`Last Updated,${csvField(lastUpdated)}`, HMT_COLUMNS.map(csvField).join(',')];
  for (const row of rows) lines.push(HMT_COLUMNS.map((c) => csvField(row[c] ?? '')).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
