import { countryCode } from './countries';
import { Designation, DesignationType, PartialDate } from './hmt-list';
import { NameKind, foldName, normaliseName } from './normalise';

/**
 * Fuzzy name matching against an in-memory sanctions index.
 *
 * Name score (0..1), computed on normalised tokens (see normalise.ts), independent of word order:
 *
 *  - token similarity: Jaro–Winkler (prefix scale 0.1, up to 4 letters, only when the lengths
 *    differ by at most 2). Tokens that are both
 *    three letters or shorter must be equal; a similarity under {@link TOKEN_FLOOR} counts as 0,
 *    so unrelated tokens never add up to a match;
 *  - query and listed tokens are paired one-to-one, best pair first (greedy assignment over the
 *    similarity matrix; names have a handful of tokens, so this equals the optimum in practice);
 *  - score = Σ paired similarities ÷ (s + w·(l − s)), where s and l are the shorter and longer
 *    token counts. w is {@link EXTRA_TOKEN_WEIGHT}: 0.1 for people, so a missing middle name costs
 *    little ("Anna Eriksson" vs "Anna Maria Eriksson" = 2 ÷ 2.1 = 0.952), 0.25 for organisations.
 *    When the shorter side is a single token and the other is not, w is 0.5, so one shared first
 *    name or one shared word is never a match ("Ahmed" vs "Ahmed Karimov" = 1 ÷ 1.5 = 0.667).
 *    When the listed person's surname (Name 6) is known and none of its tokens is paired, one
 *    unpaired token counts in full (+1 − w in the divisor): two given names alone are not a match
 *    ("Sarah Hussain" vs "Hassan Sarah DRIHOVSSON": 1.86 ÷ 3 = 0.62, not 1.86 ÷ 2.1 = 0.886).
 *
 * Final score = name score + date-of-birth adjustment + nationality adjustment, clamped to 0..1
 * (see {@link DOB_ADJUSTMENT}, {@link NATIONALITY_ADJUSTMENT}). A hit is a final score ≥
 * {@link MATCH_THRESHOLD}.
 *
 * The index: every listed name (each alias row, the non-Latin-script name, and a variant with the
 * parts of hyphenated names joined) is a name entry. Distinct tokens form a vocabulary with
 * postings (token → name entries). Fuzzy candidates are found by blocking: each vocabulary token
 * sits in up to three blocks — its first three letters; a phonetic skeleton (consonant classes,
 * vowels dropped, first four), so "KATHERINE" meets "CATHERINE" and "YEVGENY" meets "EVGENY";
 * and, for tokens of six letters or more, first letter + last four letters, so a typo in the
 * middle ("VORNHALT") still meets "VORNHOLT" when it changes both other keys. A query
 * token is compared (Jaro–Winkler) only with the vocabulary tokens that share one of its blocks;
 * the entries posted under the tokens that reach TOKEN_FLOOR are then scored.
 *
 * Compound names: besides the query as written, readings with adjacent tokens joined ("Abdul
 * Wahid" → ABDULWAHID) or one token split where a part is a listed word (ABDULWAHID → ABDUL WAHID)
 * are scored against the entries their new tokens reach, and the best reading counts (see
 * {@link queryVariants}). Together with the hyphen-joined variants of listed names, a name matches
 * whether either side writes it joined, split or hyphenated.
 */

/**
 * Final score at or above which a screening is a hit (high risk).
 *
 * 0.88 was chosen from the tests in matcher.spec.ts / sanctions-index.spec.ts:
 *  - it keeps every variant we must catch above it with a margin: swapped order, diacritics and
 *    punctuation (1.0), one missing middle name (0.952), two missing middle names (0.909), one
 *    typo'd token in a two-token name (≈0.93–0.97), legal form changed (1.0), and a one-token
 *    missing from an organisation name (3 ÷ 3.25 = 0.923);
 *  - it sits above everything that should not match: one shared token (≤ 0.667 for a two-token
 *    name), given names without the listed surname (≤ 0.667), a same first name with a different
 *    surname ("David Jones"/"David Johnson" = 0.5: JONES/JOHNSON is 0.832, under the token floor),
 *    a shared word in an organisation name ("Northern Trading Ltd" vs "Northern Wind Trading
 *    House LLC" = 0.8), and the 200 common British names against the sample and the 12,000-name
 *    bench list (0 flagged). Without the surname rule one British name ("Sarah Hussain") scored
 *    0.886 against a synthetic "Hassan Sarah DRIHOVSSON" at this threshold;
 *  - a clearly contradicting date of birth (−0.12) takes a missing-middle-name match (0.952) to
 *    0.832, below it, while an exact name with a contradicting date stays at 0.88, still a hit.
 */
export const MATCH_THRESHOLD = 0.88;

/** Matches at or above this final score are reported (as near misses when under the threshold). */
export const REPORT_FLOOR = 0.75;

/** Token similarity (Jaro–Winkler) under which two tokens count as different (0). */
export const TOKEN_FLOOR = 0.84;

/** How much each token of the longer name that has no partner costs (see the formula above). */
export const EXTRA_TOKEN_WEIGHT: Readonly<Record<NameKind, number>> = { person: 0.1, organisation: 0.25 };
const SINGLE_TOKEN_EXTRA_WEIGHT = 0.5;

/** How many designations `screen` returns, best first. */
export const MAX_MATCHES = 5;

/**
 * Date-of-birth agreement, comparing the query date with each listed date and keeping the best:
 *  - exact: year, month and day all known on both sides and equal;
 *  - year: same year, and month/day equal wherever both are known (some parts unknown);
 *  - near: year off by one, or same year with a different month or day (typos, calendar slips):
 *    neither strengthens nor weakens;
 *  - conflict: every listed date is two or more years away;
 *  - unknown: no date on one side.
 */
export type DobAgreement = 'exact' | 'year' | 'near' | 'conflict' | 'unknown';
export const DOB_ADJUSTMENT: Readonly<Record<DobAgreement, number>> = {
  exact: 0.06,
  year: 0.04,
  near: 0,
  conflict: -0.12,
  unknown: 0,
};

/** Nationality agreement: a listed nationality equals the query's (match), none does (conflict). */
export type NationalityAgreement = 'match' | 'conflict' | 'unknown';
export const NATIONALITY_ADJUSTMENT: Readonly<Record<NationalityAgreement, number>> = {
  match: 0.03,
  conflict: -0.04,
  unknown: 0,
};

export interface ScreeningQuery {
  name: string;
  kind: NameKind;
  /** `YYYY-MM-DD` (as stored for people), a Date, or a partial date. People only. */
  dateOfBirth?: string | Date | PartialDate | null;
  /** ISO alpha-2 ("GB") or a country name ("Russia"). People only. */
  nationality?: string | null;
}

export interface ScreeningMatch {
  groupId: string;
  type: DesignationType;
  /** The listed name that matched best (as written in the list). */
  matchedName: string;
  aliasType: string;
  /** Final score (name score plus adjustments), 0..1, 3 decimals. */
  score: number;
  /** Name similarity alone, 0..1, 3 decimals. */
  nameScore: number;
  dobAgreement: DobAgreement;
  nationalityAgreement: NationalityAgreement;
  regime: string;
  listedOn: string;
}

export interface ScreeningResult {
  hit: boolean;
  /** Best final score (0 if nothing came near). */
  score: number;
  threshold: number;
  /** Up to {@link MAX_MATCHES} designations with a final score ≥ {@link REPORT_FLOOR}, best first. */
  matches: ScreeningMatch[];
}

// ---------------------------------------------------------------------------------------------
// Jaro–Winkler

const MAX_LEN = 64;
const flagsA = new Uint8Array(MAX_LEN);
const flagsB = new Uint8Array(MAX_LEN);

/**
 * Jaro–Winkler similarity of two strings (prefix scale 0.1, prefix up to 4). The prefix bonus is
 * only given when the lengths differ by two or less: words that merely start alike
 * ("BALTIC"/"BALTORION", Jaro 0.796, 0.878 with the bonus) are different words, not typos.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = Math.min(a.length, MAX_LEN);
  const lb = Math.min(b.length, MAX_LEN);
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  let matches = 0;
  for (let i = 0; i < la; i += 1) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j += 1) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches += 1;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i += 1) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k += 1;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions += 1;
    k += 1;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3;
  // Winkler's common-prefix bonus, only for tokens of similar length (see tokenSimilarity).
  if (Math.abs(la - lb) > 2) return jaro;
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix += 1;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Similarity of two normalised tokens, with the short-token rule and the floor applied. */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length <= 3 && b.length <= 3) return 0;
  // Without the prefix bonus (lengths 3+ apart) Jaro–Winkler is at most (2 + short/long) ÷ 3, under
  // the floor when short/long < 0.52: skip the comparison (joined query tokens meet many of these).
  const short = Math.min(a.length, b.length);
  const long = Math.max(a.length, b.length);
  if (long - short > 2 && short < 0.52 * long) return 0;
  const s = jaroWinkler(a, b);
  return s >= TOKEN_FLOOR ? s : 0;
}

/**
 * Name similarity of two token lists (see the module comment), from a similarity function over
 * token positions. Exported for tests and for explaining scores.
 */
export function scoreTokens(
  n: number,
  m: number,
  sim: (i: number, j: number) => number,
  kind: NameKind,
  surnameMaskB = 0,
  requiredMaskA = 0,
): number {
  if (n === 0 || m === 0) return 0;
  const pairs: { i: number; j: number; s: number }[] = [];
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < m; j += 1) {
      const s = sim(i, j);
      if (s > 0) pairs.push({ i, j, s });
    }
  }
  if (pairs.length === 0) return 0;
  pairs.sort((x, y) => y.s - x.s);
  let usedI = 0;
  let usedJ = 0;
  let sum = 0;
  for (const p of pairs) {
    const bi = 1 << p.i;
    const bj = 1 << p.j;
    if (usedI & bi || usedJ & bj) continue;
    usedI |= bi;
    usedJ |= bj;
    sum += p.s;
  }
  // A query variant (joined or split tokens) only counts when its new tokens found a partner.
  if ((usedI & requiredMaskA) !== requiredMaskA) return 0;
  const short = Math.min(n, m);
  const long = Math.max(n, m);
  const w = short === 1 && long > 1 ? SINGLE_TOKEN_EXTRA_WEIGHT : EXTRA_TOKEN_WEIGHT[kind];
  let divisor = short + w * (long - short);
  // A listed person whose surname is not matched at all: that is not a missing middle name, so
  // one unmatched token counts in full.
  if (surnameMaskB !== 0 && (usedJ & surnameMaskB) === 0) divisor += 1 - w;
  return Math.min(1, sum / divisor);
}

/** Name similarity of two raw names (normalised here): convenient for tests and one-off checks. */
export function nameSimilarity(a: string, b: string, kind: NameKind): number {
  const ta = normaliseName(a, kind).tokens.slice(0, 31);
  const tb = normaliseName(b, kind).tokens.slice(0, 31);
  return scoreTokens(ta.length, tb.length, (i, j) => tokenSimilarity(ta[i], tb[j]), kind);
}

// ---------------------------------------------------------------------------------------------
// Dates of birth and nationality

/** Parses `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, `dd/mm/yyyy` (00 = unknown), a Date or a PartialDate. */
export function toPartialDate(value: string | Date | PartialDate | null | undefined): PartialDate | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    return { year: value.getUTCFullYear(), month: value.getUTCMonth() + 1, day: value.getUTCDate() };
  }
  if (typeof value === 'object') return value.year > 0 ? value : null;
  const s = value.trim();
  let m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?/.exec(s);
  let year: number;
  let month: number;
  let day: number;
  if (m) {
    year = Number(m[1]);
    month = Number(m[2] ?? 0);
    day = Number(m[3] ?? 0);
  } else {
    m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
    if (!m) return null;
    day = Number(m[1]);
    month = Number(m[2]);
    year = Number(m[3]);
  }
  if (year <= 0) return null;
  const out: PartialDate = { year };
  if (month >= 1 && month <= 12) {
    out.month = month;
    if (day >= 1 && day <= 31) out.day = day;
  }
  return out;
}

const DOB_RANK: Readonly<Record<DobAgreement, number>> = { exact: 4, year: 3, near: 2, conflict: 1, unknown: 0 };

function compareDob(q: PartialDate, l: PartialDate): DobAgreement {
  const dy = Math.abs(q.year - l.year);
  if (dy >= 2) return 'conflict';
  if (dy === 1) return 'near';
  if (q.month !== undefined && l.month !== undefined && q.month !== l.month) return 'near';
  if (q.day !== undefined && l.day !== undefined && q.day !== l.day) return 'near';
  const complete = q.month !== undefined && l.month !== undefined && q.day !== undefined && l.day !== undefined;
  return complete ? 'exact' : 'year';
}

/** Best agreement between a query date and the listed dates ('unknown' if either side has none). */
export function dobAgreement(query: PartialDate | null, listed: readonly PartialDate[]): DobAgreement {
  if (!query || listed.length === 0) return 'unknown';
  let best: DobAgreement = 'conflict';
  for (const l of listed) {
    const a = compareDob(query, l);
    if (DOB_RANK[a] > DOB_RANK[best]) best = a;
  }
  return best;
}

/** Agreement between a query nationality (code or name) and the listed nationalities. */
export function nationalityAgreement(query: string | null, listed: readonly string[]): NationalityAgreement {
  if (!query || listed.length === 0) return 'unknown';
  const code = countryCode(query);
  if (code === undefined) {
    // A nationality we cannot map: only an identical listed text counts, never a conflict.
    const q = foldName(query);
    return listed.some((n) => foldName(n) === q) ? 'match' : 'unknown';
  }
  const known = listed.filter((n) => countryCode(n) !== undefined);
  if (known.includes(code)) return 'match';
  return known.length > 0 ? 'conflict' : 'unknown';
}

// ---------------------------------------------------------------------------------------------
// The index

interface NameEntry {
  designation: number;
  full: string;
  aliasType: string;
  kind: NameKind;
  tokens: Int32Array;
  /** Bit mask of the token positions that come from the surname (0 if unknown). */
  surnameMask: number;
}

const PHONETIC: Readonly<Record<string, string>> = {
  B: 'P',
  P: 'P',
  F: 'F',
  V: 'F',
  W: '',
  C: 'K',
  K: 'K',
  Q: 'K',
  G: 'K',
  X: 'S',
  S: 'S',
  Z: 'S',
  D: 'T',
  T: 'T',
  L: 'L',
  R: 'R',
  M: 'N',
  N: 'N',
  J: 'J',
  A: '',
  E: '',
  I: '',
  O: '',
  U: '',
  Y: '',
  H: '',
};

/** Consonant-class skeleton of a token, first four classes ("KATHERINE" → "KTRN"). */
export function phoneticKey(token: string): string {
  let out = '';
  let last = '';
  const t = token.replace(/PH/g, 'F');
  for (let i = 0; i < t.length && out.length < 4; i += 1) {
    const ch = t[i];
    const cls = PHONETIC[ch] ?? ch;
    if (cls !== '' && cls !== last) out += cls;
    last = cls === '' ? last : cls;
  }
  return out;
}

function blockKeys(token: string): string[] {
  const keys = [`p${token.slice(0, 3)}`];
  const ph = phoneticKey(token);
  if (ph.length >= 2) keys.push(`s${ph}`);
  if (token.length >= 6) keys.push(`e${token[0]}${token.slice(-4)}`);
  return keys;
}

const SHORT_KEY_MAX_LENGTH = 6;

/** Keys of a token (or a part) among tokens of `length` letters: three letters for short ones, four beyond six. */
function lengthBlockKeys(token: string, length: number): [string, string] {
  const k = length <= SHORT_KEY_MAX_LENGTH ? 3 : 4;
  return [`p${token.slice(0, k)}`, `s${token.slice(-k)}`];
}

function kindOf(type: DesignationType): NameKind {
  return type === 'individual' ? 'person' : 'organisation';
}

/** Upper bound for a name's tokens (bit masks in the assignment use 31 bits). */
const MAX_TOKENS = 31;

export class SanctionsMatcher {
  private readonly designations: readonly Designation[];
  private readonly entries: NameEntry[] = [];
  private readonly vocabulary = new Map<string, number>();
  private readonly tokens: string[] = [];
  private readonly postings: number[][] = [];
  private readonly blocks = new Map<string, number[]>();
  /**
   * Tokens by first (or last) letters, then by length: the narrow search for joined and split
   * parts (see {@link similarPart}). Three letters for tokens of up to six letters, four beyond.
   */
  private readonly lengthBlocks = new Map<string, number[][]>();
  // Per-query scratch space, reused (screening is synchronous).
  private tokenStamp = new Int32Array(0);
  private entryStamp = new Int32Array(0);
  private stamp = 0;

  constructor(designations: readonly Designation[]) {
    this.designations = designations;
    designations.forEach((d, di) => {
      const kind = kindOf(d.type);
      const seen = new Set<string>();
      for (const name of d.names) {
        const joined = (x: string): string => x.replace(/\s*-\s*/g, '');
        const variants: [string, string | undefined][] = [[name.full, name.surname]];
        if (name.full.includes('-'))
          variants.push([joined(name.full), name.surname === undefined ? undefined : joined(name.surname)]);
        for (const [variant, surname] of variants) {
          const tokens = normaliseName(variant, kind).tokens.slice(0, MAX_TOKENS);
          const key = tokens.join(' ');
          if (tokens.length === 0 || seen.has(key)) continue;
          seen.add(key);
          // The surname ends the full name (Name 1–5 then Name 6): its tokens are the last ones.
          const surnameTokens = surname === undefined ? 0 : normaliseName(surname, kind).tokens.length;
          let surnameMask = 0;
          if (surnameTokens > 0 && surnameTokens < tokens.length) {
            for (let p = tokens.length - surnameTokens; p < tokens.length; p += 1) surnameMask |= 1 << p;
          }
          this.addEntry({
            designation: di,
            full: name.full,
            aliasType: name.aliasType,
            kind,
            tokens: this.intern(tokens),
            surnameMask,
          });
        }
      }
    });
    this.tokenStamp = new Int32Array(this.tokens.length);
    this.entryStamp = new Int32Array(this.entries.length);
  }

  /** Designations in the index. */
  get designationCount(): number {
    return this.designations.length;
  }

  /** Name entries (aliases and variants) in the index. */
  get nameCount(): number {
    return this.entries.length;
  }

  /** Distinct tokens in the index. */
  get tokenCount(): number {
    return this.tokens.length;
  }

  private intern(tokens: string[]): Int32Array {
    const ids = new Int32Array(tokens.length);
    tokens.forEach((t, i) => {
      let id = this.vocabulary.get(t);
      if (id === undefined) {
        id = this.tokens.length;
        this.vocabulary.set(t, id);
        this.tokens.push(t);
        this.postings.push([]);
        for (const k of blockKeys(t)) {
          const b = this.blocks.get(k);
          if (b) b.push(id);
          else this.blocks.set(k, [id]);
        }
        for (const k of lengthBlockKeys(t, t.length)) {
          let byLength = this.lengthBlocks.get(k);
          if (!byLength) this.lengthBlocks.set(k, (byLength = []));
          (byLength[t.length] ??= []).push(id);
        }
      }
      ids[i] = id;
    });
    return ids;
  }

  private addEntry(entry: NameEntry): void {
    const id = this.entries.length;
    this.entries.push(entry);
    for (const t of entry.tokens) {
      const p = this.postings[t];
      if (p[p.length - 1] !== id) p.push(id);
    }
  }

  private nextStamp(): number {
    this.stamp += 1;
    if (this.stamp === 0x7fffffff) {
      this.stamp = 1;
      this.tokenStamp.fill(0);
      this.entryStamp.fill(0);
    }
    return this.stamp;
  }

  /** Vocabulary tokens similar to `q` (id → similarity), found through the blocks. */
  private similar(q: string): Map<number, number> {
    const found = new Map<number, number>();
    const tokenStamp = this.nextStamp();
    const consider = (id: number): void => {
      if (this.tokenStamp[id] === tokenStamp) return;
      this.tokenStamp[id] = tokenStamp;
      const s = tokenSimilarity(q, this.tokens[id]);
      if (s > 0) found.set(id, s);
    };
    const exact = this.vocabulary.get(q);
    if (exact !== undefined) consider(exact);
    if (q.length >= 2) {
      for (const k of blockKeys(q)) {
        const block = this.blocks.get(k);
        if (block) for (const id of block) consider(id);
      }
    }
    return found;
  }

  /**
   * Vocabulary tokens similar to a joined or split part: the exact token, and tokens within two
   * letters of its length that share its first or last three letters (four for words over six letters). Narrower (and much cheaper)
   * than {@link similar}: a part is only worth a reading if the list holds nearly that word, and
   * these lookups are many (one per join and split tried).
   */
  private similarPart(q: string): Map<number, number> {
    const found = new Map<number, number>();
    const exact = this.vocabulary.get(q);
    if (exact !== undefined) found.set(exact, 1);
    if (q.length < 4) return found;
    const tokenStamp = this.nextStamp();
    const short = lengthBlockKeys(q, SHORT_KEY_MAX_LENGTH).map((k) => this.lengthBlocks.get(k));
    const long = lengthBlockKeys(q, SHORT_KEY_MAX_LENGTH + 1).map((k) => this.lengthBlocks.get(k));
    for (let len = q.length - 2; len <= q.length + 2; len += 1) {
      for (const byLength of len <= SHORT_KEY_MAX_LENGTH ? short : long) {
        const block = byLength?.[len];
        if (!block) continue;
        for (const id of block) {
          if (this.tokenStamp[id] === tokenStamp) continue;
          this.tokenStamp[id] = tokenStamp;
          const s = tokenSimilarity(q, this.tokens[id]);
          if (s > 0) found.set(id, s);
        }
      }
    }
    return found;
  }

  /** Name entries posted under any of the given tokens, each once. */
  private entriesOf(slots: readonly Map<number, number>[]): number[] {
    const stamp = this.nextStamp();
    const out: number[] = [];
    for (const found of slots) {
      for (const id of found.keys()) {
        for (const e of this.postings[id]) {
          if (this.entryStamp[e] !== stamp) {
            this.entryStamp[e] = stamp;
            out.push(e);
          }
        }
      }
    }
    return out;
  }

  /**
   * The other ways of reading the query's tokens (see {@link queryVariants}), each with the entries
   * worth scoring: those that hold a partner for the variant's new tokens. A new token found
   * nowhere rules its variant out, so a variant costs little unless it can match.
   */
  private variantsOf(qTokens: readonly string[], sims: readonly Map<number, number>[]): ScoredVariant[] {
    const spans = new Map<string, Map<number, number>>();
    const out: ScoredVariant[] = [];
    for (const variant of queryVariants(qTokens, (t) => this.vocabulary.has(t))) {
      const slots: Map<number, number>[] = [];
      let rarest: Map<number, number> | null = null;
      let rarestCount = Infinity;
      let dead = false;
      for (const part of variant.tokens) {
        if (typeof part === 'number') {
          slots.push(sims[part]);
          continue;
        }
        let found = spans.get(part);
        if (!found) spans.set(part, (found = this.similarPart(part)));
        if (found.size === 0) dead = true;
        slots.push(found);
        let count = 0;
        for (const id of found.keys()) count += this.postings[id].length;
        if (count < rarestCount) [rarest, rarestCount] = [found, count];
      }
      if (dead || !rarest) continue;
      out.push({ slots, required: variant.required, candidates: this.entriesOf([rarest]) });
    }
    return out;
  }

  /** Screens one name. Persons are compared with individuals; organisations with entities and ships. */
  screen(query: ScreeningQuery): ScreeningResult {
    const kind = query.kind;
    const qTokens = normaliseName(query.name, kind).tokens.slice(0, MAX_TOKENS);
    const empty: ScreeningResult = { hit: false, score: 0, threshold: MATCH_THRESHOLD, matches: [] };
    if (qTokens.length === 0) return empty;

    // Similar vocabulary tokens for each query token, and the entries they are posted under.
    const sims = qTokens.map((q) => this.similar(q));
    const wantIndividual = kind === 'person';
    const nameScores = new Map<number, number>();
    const scoreAll = (slots: readonly Map<number, number>[], candidates: readonly number[], required: number): void => {
      for (const e of candidates) {
        const entry = this.entries[e];
        if ((entry.kind === 'person') !== wantIndividual) continue;
        const t = entry.tokens;
        const sim = (i: number, j: number): number => slots[i].get(t[j]) ?? 0;
        const score = scoreTokens(slots.length, t.length, sim, kind, entry.surnameMask, required);
        // Only names that could still be reported are kept (the best adjustments could lift them).
        if (score + DOB_ADJUSTMENT.exact + NATIONALITY_ADJUSTMENT.match < REPORT_FLOOR) continue;
        if (score > (nameScores.get(e) ?? 0)) nameScores.set(e, score);
      }
    };
    scoreAll(sims, this.entriesOf(sims), 0);
    for (const v of this.variantsOf(qTokens, sims)) scoreAll(v.slots, v.candidates, v.required);
    if (nameScores.size === 0) return empty;

    const qDob = kind === 'person' ? toPartialDate(query.dateOfBirth) : null;
    const qNat = kind === 'person' && query.nationality ? query.nationality.trim() : null;
    const best = new Map<number, ScreeningMatch>();
    for (const [e, nameScore] of nameScores) {
      const entry = this.entries[e];
      const d = this.designations[entry.designation];
      const dob = dobAgreement(qDob, d.dobs);
      const nat = nationalityAgreement(qNat, d.nationalities);
      const score = Math.max(0, Math.min(1, nameScore + DOB_ADJUSTMENT[dob] + NATIONALITY_ADJUSTMENT[nat]));
      if (score < REPORT_FLOOR) continue;
      const previous = best.get(entry.designation);
      if (previous && previous.score >= round(score)) continue;
      best.set(entry.designation, {
        groupId: d.groupId,
        type: d.type,
        matchedName: entry.full,
        aliasType: entry.aliasType,
        score: round(score),
        nameScore: round(nameScore),
        dobAgreement: dob,
        nationalityAgreement: nat,
        regime: d.regime,
        listedOn: d.listedOn,
      });
    }
    const matches = [...best.values()]
      .sort((a, b) => b.score - a.score || b.nameScore - a.nameScore)
      .slice(0, MAX_MATCHES);
    const top = matches[0]?.score ?? 0;
    return { hit: top >= MATCH_THRESHOLD, score: top, threshold: MATCH_THRESHOLD, matches };
  }
}

interface ScoredVariant {
  slots: Map<number, number>[];
  required: number;
  candidates: number[];
}

/** Longest run of query tokens read as one word ("Abd al Rahman" → ABDALRAHMAN). */
export const MAX_JOINED_TOKENS = 3;
/** Queries up to this many tokens try every combination of joins; longer ones one join at a time. */
const MAX_TOKENS_FOR_ALL_JOINS = 5;
/** Shortest part a query token is split into. */
const MIN_SPLIT_PART = 2;

/**
 * A reading of the query's tokens: each item is either a query token position (kept as it is) or
 * a new token (a run of query tokens joined, or a part of a split token); `required` has a bit for
 * each new token's position, which must find a partner for the reading to count.
 */
export interface QueryVariant {
  tokens: (number | string)[];
  required: number;
}

/**
 * Compound names are written joined, split or hyphenated ("Abdulwahid", "Abdul Wahid",
 * "Abdul-Wahid"; hyphens are spaces after normalisation). The listed form and the customer's form
 * may differ either way, so besides the query as written these readings are scored:
 *  - joins: runs of 2–{@link MAX_JOINED_TOKENS} adjacent tokens read as one word, in every
 *    combination for names of up to five tokens ("ABDUL WAHID QORBANZADEH" → "ABDULWAHID
 *    QORBANZADEH", "ABDUL WAHIDQORBANZADEH", "ABDULWAHIDQORBANZADEH"), one join at a time beyond;
 *  - splits: one token cut in two where at least one part is a listed word ("ABDULWAHID" →
 *    "ABDUL WAHID" when ABDUL is a listed token), parts of {@link MIN_SPLIT_PART}+ letters.
 * A reading's new tokens must each be paired with a listed token, so joining or splitting never
 * just removes tokens that would otherwise count against a match.
 */
export function queryVariants(tokens: readonly string[], isListed: (token: string) => boolean): QueryVariant[] {
  const out: QueryVariant[] = [];
  const n = tokens.length;
  const emit = (groups: [number, number][]): void => {
    if (groups.every(([a, b]) => b - a === 1)) return;
    const variant: QueryVariant = { tokens: [], required: 0 };
    for (const [a, b] of groups) {
      if (b - a > 1) variant.required |= 1 << variant.tokens.length;
      variant.tokens.push(b - a === 1 ? a : tokens.slice(a, b).join(''));
    }
    out.push(variant);
  };
  if (n <= MAX_TOKENS_FOR_ALL_JOINS) {
    const walk = (start: number, groups: [number, number][]): void => {
      if (start === n) return emit(groups);
      for (let len = 1; len <= MAX_JOINED_TOKENS && start + len <= n; len += 1)
        walk(start + len, [...groups, [start, start + len]]);
    };
    walk(0, []);
  } else {
    for (let a = 0; a + 1 < n; a += 1) {
      const groups: [number, number][] = [];
      for (let i = 0; i < n; i += 1) if (i !== a + 1) groups.push(i === a ? [a, a + 2] : [i, i + 1]);
      emit(groups);
    }
  }
  // A split adds a token: stay within the 31 positions the assignment's bit masks hold.
  if (n >= MAX_TOKENS) return out;
  tokens.forEach((token, i) => {
    for (let cut = MIN_SPLIT_PART; cut <= token.length - MIN_SPLIT_PART; cut += 1) {
      const left = token.slice(0, cut);
      const right = token.slice(cut);
      if (!isListed(left) && !isListed(right)) continue;
      const before = tokens.slice(0, i).map((_, k) => k);
      const after = tokens.slice(i + 1).map((_, k) => i + 1 + k);
      out.push({ tokens: [...before, left, right, ...after], required: (1 << i) | (1 << (i + 1)) });
    }
  });
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
