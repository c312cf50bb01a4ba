/**
 * Name normalisation for sanctions screening.
 *
 * Steps, in order:
 *  0. Invisible characters are removed so they cannot split or disguise a name: every format
 *     character (Unicode category Cf: soft hyphen U+00AD, zero-width space/joiners U+200B–U+200D,
 *     word joiner U+2060, bidi controls U+200E/F, U+202A–U+202E, U+2066–U+2069, BOM U+FEFF...) and
 *     every other default-ignorable code point (combining grapheme joiner U+034F, variation
 *     selectors, Hangul fillers U+115F/U+1160/U+3164/U+FFA0, Mongolian separators). Control
 *     characters (Cc) that separate words (tab, line breaks, U+001C–U+001F, U+0085) become a space;
 *     the other controls are removed. Unicode spaces (NBSP, U+2000–U+200A, U+202F, U+3000...) need
 *     nothing here: NFKD turns them into a space and step 5 treats any non-letter as a separator.
 *     Then, in a word that mixes Latin letters with Cyrillic or Greek ones, the Cyrillic and Greek
 *     letters that look like Latin ones (Cyrillic А В Е К М Н О Р С Т Х а е о р с у х і ј, Greek
 *     Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ ο ν...) are read as those Latin letters, so "VORNНOLT" with a
 *     Cyrillic Н is VORNHOLT, not VORNNOLT (Unicode TR39 confusables, restricted to these scripts).
 *     Words written wholly in Cyrillic are transliterated by step 1 instead.
 *  1. Cyrillic letters are transliterated to Latin (a simple, BGN/PCGN-like table) so that the
 *     list's "Name Non-Latin Script" column and Cyrillic queries compare with Latin names.
 *  2. Letters that Unicode does not decompose are spelt out: ß→SS, Æ→AE, Œ→OE, Ø→O, Ł→L, Đ/Ð→D,
 *     Þ→TH, Ħ→H, ı→I, Ŧ→T, ŋ→NG, ĸ→K, ſ→S (upper and lower case).
 *  3. NFKD, then every combining mark (\p{M}) is removed: "Kováč" → "Kovac", "Ș" → "S".
 *  4. Upper case.
 *  5. Punctuation: apostrophes and full stops are removed without a space ("O'Neil" → "ONEIL",
 *     "J.S.C." → "JSC", "S.A." → "SA"); every other character that is not a letter or digit
 *     (hyphens, commas, quotes, slashes, "&", brackets...) becomes a space ("Ølafsson-Kováč" →
 *     "OLAFSSON KOVAC"). Runs of spaces collapse.
 *  6. Organisations only: legal-form words are dropped wherever they occur (Russian forms such as
 *     OOO and JSC usually come first, English ones last) — see {@link LEGAL_FORM_TOKENS} and
 *     {@link LEGAL_FORM_PHRASES}. If nothing would be left, the tokens are kept as they were.
 *     People only: leading honorifics (MR, MRS, MS, MISS, DR, SIR, PROF, HAJI...) are dropped.
 *
 * The result keeps the tokens in their original order and a sorted copy, so that comparisons can
 * ignore word order ("Eriksson Anna" ≡ "Anna Eriksson").
 */

export type NameKind = 'person' | 'organisation';

export interface NormalisedName {
  /** Tokens in the order they were written, after all the steps above. */
  tokens: string[];
  /** Same tokens, sorted (code-unit order): word-order independent form. */
  sorted: string[];
  /** `sorted.join(' ')`: a key for exact, order-independent comparison. */
  key: string;
}

/**
 * Single-word legal forms dropped from organisation names. English, Russian/CIS, European:
 * LTD LIMITED LLC PLC JSC OJSC CJSC PJSC PAO OAO ZAO AO OOO TOO INC INCORPORATED CORP CORPORATION
 * CO COMPANY GMBH AG KG SA SAS SARL SRL SPA BV NV LLP LP PTE PTY HOLDING HOLDINGS AND THE.
 * ("AND" and "THE" are dropped because "& Co" and leading articles vary between sources.)
 */
export const LEGAL_FORM_TOKENS: ReadonlySet<string> = new Set([
  'LTD',
  'LIMITED',
  'LLC',
  'PLC',
  'JSC',
  'OJSC',
  'CJSC',
  'PJSC',
  'PAO',
  'OAO',
  'ZAO',
  'AO',
  'OOO',
  'TOO',
  'INC',
  'INCORPORATED',
  'CORP',
  'CORPORATION',
  'CO',
  'COMPANY',
  'GMBH',
  'AG',
  'KG',
  'SA',
  'SAS',
  'SARL',
  'SRL',
  'SPA',
  'BV',
  'NV',
  'LLP',
  'LP',
  'PTE',
  'PTY',
  'HOLDING',
  'HOLDINGS',
  'AND',
  'THE',
]);

/**
 * Multi-word legal forms, removed (as whole token sequences) before the single words above:
 * "LIMITED LIABILITY COMPANY", "LIMITED LIABILITY PARTNERSHIP", "PUBLIC LIMITED COMPANY",
 * "(OPEN|CLOSED|PUBLIC) JOINT STOCK COMPANY", "JOINT STOCK COMPANY".
 */
export const LEGAL_FORM_PHRASES: readonly (readonly string[])[] = [
  ['OPEN', 'JOINT', 'STOCK', 'COMPANY'],
  ['CLOSED', 'JOINT', 'STOCK', 'COMPANY'],
  ['PUBLIC', 'JOINT', 'STOCK', 'COMPANY'],
  ['JOINT', 'STOCK', 'COMPANY'],
  ['LIMITED', 'LIABILITY', 'COMPANY'],
  ['LIMITED', 'LIABILITY', 'PARTNERSHIP'],
  ['PUBLIC', 'LIMITED', 'COMPANY'],
];

/** Honorifics dropped from the start of a person's name. */
export const HONORIFIC_TOKENS: ReadonlySet<string> = new Set([
  'MR',
  'MRS',
  'MS',
  'MISS',
  'MX',
  'DR',
  'SIR',
  'DAME',
  'LORD',
  'LADY',
  'PROF',
  'PROFESSOR',
  'REV',
  'HAJI',
  'HAJJI',
  'SHEIKH',
]);

const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'SS',
  ẞ: 'SS',
  Æ: 'AE',
  æ: 'AE',
  Œ: 'OE',
  œ: 'OE',
  Ø: 'O',
  ø: 'O',
  Ł: 'L',
  ł: 'L',
  Đ: 'D',
  đ: 'D',
  Ð: 'D',
  ð: 'D',
  Þ: 'TH',
  þ: 'TH',
  Ħ: 'H',
  ħ: 'H',
  ı: 'I',
  Ŧ: 'T',
  ŧ: 'T',
  Ŋ: 'NG',
  ŋ: 'NG',
  ĸ: 'K',
  ſ: 'S',
  Ŀ: 'L',
  ŀ: 'L',
};

const CYRILLIC: Readonly<Record<string, string>> = {
  А: 'A',
  Б: 'B',
  В: 'V',
  Г: 'G',
  Д: 'D',
  Е: 'E',
  Ё: 'E',
  Ж: 'ZH',
  З: 'Z',
  И: 'I',
  Й: 'Y',
  К: 'K',
  Л: 'L',
  М: 'M',
  Н: 'N',
  О: 'O',
  П: 'P',
  Р: 'R',
  С: 'S',
  Т: 'T',
  У: 'U',
  Ф: 'F',
  Х: 'KH',
  Ц: 'TS',
  Ч: 'CH',
  Ш: 'SH',
  Щ: 'SHCH',
  Ъ: '',
  Ы: 'Y',
  Ь: '',
  Э: 'E',
  Ю: 'YU',
  Я: 'YA',
  І: 'I',
  Ї: 'YI',
  Є: 'YE',
  Ґ: 'G',
  Ў: 'U',
  Ј: 'J',
  Љ: 'LJ',
  Њ: 'NJ',
  Ћ: 'C',
  Џ: 'DZ',
  Ђ: 'DJ',
};

/** Cf, plus default-ignorable code points of other categories (Hangul fillers, CGJ, selectors). */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** Controls that separate words (Unicode White_Space or bidi class B/S); other Cc are removed. */
const CONTROL_SEPARATORS = /[\t\n\v\f\r\u001C-\u001F\u0085]/g;
const CONTROLS = /\p{Cc}/gu;
const NEEDS_CLEANING = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

/** Latin look-alikes of Cyrillic and Greek letters (from Unicode's confusables.txt), for mixed words. */
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  Ё: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  Ѕ: 'S',
  І: 'I',
  Ї: 'I',
  Ј: 'J',
  Ԛ: 'Q',
  Ԝ: 'W',
  Һ: 'H',
  Ү: 'Y',
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ү: 'y',
  ь: 'b',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  α: 'a',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ϲ: 'c',
  ϳ: 'j',
};
const CYRILLIC_OR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const LATIN = /\p{Script=Latin}/u;
const WORDS = /[\p{L}\p{M}]+/gu;

function latinLookalikes(word: string): string {
  if (!LATIN.test(word) || !CYRILLIC_OR_GREEK.test(word)) return word;
  let out = '';
  for (const ch of word) out += HOMOGLYPHS[ch] ?? ch;
  return out;
}

/**
 * Step 0 alone: invisible format and control characters removed (word-separating controls become
 * a space) and look-alike letters in mixed-script words read as Latin. Exported for tests.
 */
export function removeInvisible(raw: string): string {
  let s = raw;
  if (NEEDS_CLEANING.test(s)) s = s.replace(INVISIBLE, '').replace(CONTROL_SEPARATORS, ' ').replace(CONTROLS, '');
  if (CYRILLIC_OR_GREEK.test(s)) s = s.replace(WORDS, latinLookalikes);
  return s;
}

const NEEDS_TABLE = /[ßẞÆæŒœØøŁłĐđÐðÞþĦħıŦŧŊŋĸſĿŀ\u0400-\u04FF]/u;
const TABLE_CHARS = /[ßẞÆæŒœØøŁłĐđÐðÞþĦħıŦŧŊŋĸſĿŀ\u0400-\u04FF]/gu;
const MARKS = /\p{M}+/gu;
const DROPPED = /['’‘`´.]/g;
const SEPARATORS = /[^\p{L}\p{N}]+/gu;

function spellOut(ch: string): string {
  const special = SPECIAL_LETTERS[ch];
  if (special !== undefined) return special;
  const upper = ch.toUpperCase();
  const cyr = CYRILLIC[upper];
  return cyr ?? ch;
}

/** Steps 0–5: a cleaned, upper-case, space-separated string (no legal-form or honorific removal). */
export function foldName(raw: string): string {
  let s = removeInvisible(raw);
  if (NEEDS_TABLE.test(s)) s = s.replace(TABLE_CHARS, spellOut);
  s = s.normalize('NFKD').replace(MARKS, '').toUpperCase();
  s = s.replace(DROPPED, '').replace(SEPARATORS, ' ').trim();
  return s;
}

function removePhrases(tokens: string[]): string[] {
  let out = tokens;
  for (const phrase of LEGAL_FORM_PHRASES) {
    if (out.length < phrase.length) continue;
    const next: string[] = [];
    let i = 0;
    while (i < out.length) {
      let matches = i + phrase.length <= out.length;
      for (let k = 0; matches && k < phrase.length; k += 1) if (out[i + k] !== phrase[k]) matches = false;
      if (matches) i += phrase.length;
      else next.push(out[i++]);
    }
    out = next;
  }
  return out;
}

/** Tokens of a name, with legal forms (organisations) or honorifics (people) removed. */
export function nameTokens(raw: string, kind: NameKind): string[] {
  const folded = foldName(raw);
  if (folded === '') return [];
  const tokens = folded.split(' ');
  if (kind === 'organisation') {
    const kept = removePhrases(tokens).filter((t) => !LEGAL_FORM_TOKENS.has(t));
    return kept.length > 0 ? kept : tokens;
  }
  let start = 0;
  while (start < tokens.length - 1 && HONORIFIC_TOKENS.has(tokens[start])) start += 1;
  return start === 0 ? tokens : tokens.slice(start);
}

/** Full normalisation: tokens, sorted tokens and the order-independent key. */
export function normaliseName(raw: string, kind: NameKind): NormalisedName {
  const tokens = nameTokens(raw, kind);
  const sorted = [...tokens].sort();
  return { tokens, sorted, key: sorted.join(' ') };
}
