import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRITISH_NAMES } from './british-names';
import { Designation, parseHmtList } from './hmt-list';
import {
  DOB_ADJUSTMENT,
  MATCH_THRESHOLD,
  SanctionsMatcher,
  dobAgreement,
  jaroWinkler,
  nameSimilarity,
  nationalityAgreement,
  phoneticKey,
  queryVariants,
  toPartialDate,
  tokenSimilarity,
} from './matcher';

const matcher = new SanctionsMatcher(
  parseHmtList(readFileSync(join(__dirname, 'hmt-sample.csv'), 'utf8')).designations,
);
const person = (name: string, extra: { dateOfBirth?: string; nationality?: string } = {}) =>
  matcher.screen({ name, kind: 'person', ...extra });
const organisation = (name: string) => matcher.screen({ name, kind: 'organisation' });

describe('jaroWinkler and token similarity', () => {
  it('gives the textbook values', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 3);
    expect(jaroWinkler('ABC', 'ABC')).toBe(1);
    expect(jaroWinkler('ABC', 'XYZ')).toBe(0);
    expect(jaroWinkler('', 'A')).toBe(0);
  });

  it('gives no prefix bonus to words of very different length', () => {
    expect(jaroWinkler('BALTIC', 'BALTORION')).toBeCloseTo(0.796, 3);
    expect(tokenSimilarity('BALTIC', 'BALTORION')).toBe(0);
  });

  it('applies the floor and the short-token rule', () => {
    expect(tokenSimilarity('SMITH', 'SMYTH')).toBeCloseTo(0.893, 3);
    expect(tokenSimilarity('JONES', 'JOHNSON')).toBe(0);
    expect(tokenSimilarity('LI', 'LU')).toBe(0);
    expect(tokenSimilarity('JON', 'JOHN')).toBeCloseTo(0.933, 3);
  });

  it('puts sound-alike spellings in the same phonetic block', () => {
    expect(phoneticKey('KATHERINE')).toBe(phoneticKey('CATHERINE'));
    expect(phoneticKey('YEVGENY')).toBe(phoneticKey('EVGENY'));
  });
});

describe('nameSimilarity', () => {
  it('tolerates a missing middle name but not a missing surname', () => {
    expect(nameSimilarity('Anna Eriksson', 'Anna Maria Eriksson', 'person')).toBeCloseTo(0.952, 3);
    expect(nameSimilarity('Anna Maria Eriksson', 'Anna Eriksson', 'person')).toBeCloseTo(0.952, 3);
    expect(nameSimilarity('Anna', 'Anna Eriksson', 'person')).toBeCloseTo(0.667, 3);
    expect(nameSimilarity('Anna Lindqvist', 'Anna Maria Eriksson', 'person')).toBeLessThan(0.5);
    expect(nameSimilarity('David Jones', 'David Johnson', 'person')).toBe(0.5);
  });

  it('ignores word order, case, diacritics and punctuation', () => {
    expect(nameSimilarity('ERIKSSON, anna-maria', 'Anna Maria Eriksson', 'person')).toBe(1);
    expect(nameSimilarity('Zoltan Feketehazy', 'Zoltán Feketeházy', 'person')).toBe(1);
  });
});

describe('screen: variants of listed names are caught', () => {
  it.each([
    ['swapped order', 'Olafsson-Kovac Dmitriy Aleksandrovich'],
    ['surname first with a comma', 'VORNHOLT, Anneka Marisol'],
    ['diacritics removed', 'Dmitriy Aleksandrovich Olafsson-Kovac'],
    ['diacritics added', 'Zóltan Feketéhazi'],
    ['missing middle name', 'Anneka Vornholt'],
    ['missing middle name, swapped', 'Vornholt Anneka'],
    ['two names missing', 'Lukasz Wroblewski'],
    ['extra punctuation', 'Ibrahim T. Al-Qassamir!!'],
    ['particle joined', 'Ibrahim Alqassamir'],
    ['hyphen joined', 'Nigel Prytherchvale'],
    ['one typo', 'Anneka Vornholdt'],
    ['other transliteration', 'Evgeny Krasnolutsky'],
    ['Cyrillic', 'Евгений Краснолуцкий'],
    ['special letters spelt out', 'Bjoern Aevar Gudmundssonn-Laekur'],
  ])('%s: %s', (_label, name) => {
    const result = person(name);
    expect(result.hit).toBe(true);
    expect(result.score).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
  });

  it.each([
    ['Ltd instead of Limited', 'Baltorion Shipping Ltd'],
    ['no legal form', 'Baltorion Shipping'],
    ['OJSC instead of JSC, moved', 'Volkhovsky Precision Engineering Works OJSC'],
    ['LLC instead of OOO', 'Torgovy Dom Severny Veter LLC'],
    ['Limited instead of LLC', 'Northern Wind Trading House Limited'],
    ['one word missing', 'Northern Wind Trading'],
    ['S.A. spelt SA, diacritics', 'Korvena-Østby Industrial S.A.'],
    ['ship', 'Ocean Marauder VII'],
  ])('organisation, %s: %s', (_label, name) => {
    expect(organisation(name).hit).toBe(true);
  });

  it('reports the designation, the matched name, the score and the agreements', () => {
    const result = person('Anneka Vornholt', { dateOfBirth: '1975-11-07', nationality: 'DE' });
    expect(result.matches[0]).toEqual({
      groupId: '90002',
      type: 'individual',
      matchedName: 'Anneka Marisol VORNHOLT',
      aliasType: 'Primary name',
      score: 1,
      nameScore: 0.952,
      dobAgreement: 'exact',
      nationalityAgreement: 'match',
      regime: 'Global Human Rights',
      listedOn: '2021-12-10',
    });
    expect(result.threshold).toBe(MATCH_THRESHOLD);
  });
});

describe('screen: clean names are not flagged', () => {
  it.each(['Anneka Smith', 'Nigel Pritchard', 'Ibrahim Khan', 'Dmitri Ivanov', 'Zoltan', 'Mirela', 'Anna Eriksson'])(
    '%s',
    (name) => {
      expect(person(name).hit).toBe(false);
    },
  );

  it.each([
    'Baltic Shipping Limited',
    'Northern Trading Limited',
    'Meridian Capital Ltd',
    'Ocean Shipping Services Ltd',
  ])('organisation %s', (name) => {
    expect(organisation(name).hit).toBe(false);
  });

  it('does not accept given names without the listed surname', () => {
    expect(person('Anneka Marisol').hit).toBe(false);
    expect(person('Marisol Anneka').score).toBeLessThan(0.7);
  });

  it('does not match people against entities or entities against people', () => {
    expect(person('Baltorion Shipping').hit).toBe(false);
    expect(organisation('Anneka Marisol Vornholt').hit).toBe(false);
  });

  it('reports a near miss under the threshold without a hit', () => {
    const result = organisation('Northern Trading Limited');
    expect(result.hit).toBe(false);
    expect(result.matches[0]).toMatchObject({ groupId: '90101', score: 0.8 });
  });

  it('returns an empty result for an empty name', () => {
    expect(person(' -- ')).toEqual({ hit: false, score: 0, threshold: MATCH_THRESHOLD, matches: [] });
  });
});

describe('date of birth and nationality', () => {
  it('a matching date of birth raises the score', () => {
    const plain = person('Anneka Vornholt').score;
    expect(person('Anneka Vornholt', { dateOfBirth: '1975-11-07' }).score).toBeCloseTo(
      Math.min(1, plain + DOB_ADJUSTMENT.exact),
      3,
    );
    // Listed DOB 15/00/1977: only the year is known.
    const twoMissing = person('Lukasz Wroblewski');
    expect(twoMissing.score).toBeCloseTo(0.909, 3);
    const yearOnly = person('Lukasz Wroblewski', { dateOfBirth: '1977-06-15' });
    expect(yearOnly.matches[0].dobAgreement).toBe('year');
    expect(yearOnly.score).toBeCloseTo(0.909 + DOB_ADJUSTMENT.year, 3);
  });

  it('a clearly different year takes a borderline match below the threshold', () => {
    const borderline = person('Anneka Vornholt');
    expect(borderline.hit).toBe(true);
    const contradicted = person('Anneka Vornholt', { dateOfBirth: '1990-02-01' });
    expect(contradicted.matches[0].dobAgreement).toBe('conflict');
    expect(contradicted.score).toBeCloseTo(0.832, 3);
    expect(contradicted.hit).toBe(false);
  });

  it('an exact name with a contradicting date of birth is still a hit', () => {
    const result = person('Anneka Marisol Vornholt', { dateOfBirth: '1990-02-01' });
    expect(result.score).toBe(0.88);
    expect(result.hit).toBe(true);
  });

  it('a year off by one is neutral, and any of several listed dates may agree', () => {
    expect(person('Anneka Vornholt', { dateOfBirth: '1976-11-07' }).matches[0].dobAgreement).toBe('near');
    expect(person('Dmitri Olafsson', { dateOfBirth: '1963-03-14' }).matches[0].dobAgreement).toBe('exact');
    expect(person('Dmitri Olafsson', { dateOfBirth: '1962-07-01' }).matches[0].dobAgreement).toBe('year');
  });

  it('nationality strengthens or weakens less than the date of birth', () => {
    const plain = person('Anneka Vornholt').score;
    const same = person('Anneka Vornholt', { nationality: 'Germany' }).score;
    const other = person('Anneka Vornholt', { nationality: 'GB' }).score;
    expect(same).toBeGreaterThan(plain);
    expect(other).toBeLessThan(plain);
    expect(other).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(plain - other).toBeLessThan(-DOB_ADJUSTMENT.conflict);
  });

  it('helpers', () => {
    expect(toPartialDate('1975-11-07')).toEqual({ year: 1975, month: 11, day: 7 });
    expect(toPartialDate('00/00/1962')).toEqual({ year: 1962 });
    expect(toPartialDate(new Date('1980-02-03T00:00:00Z'))).toEqual({ year: 1980, month: 2, day: 3 });
    expect(toPartialDate('not a date')).toBeNull();
    expect(dobAgreement(null, [{ year: 1970 }])).toBe('unknown');
    expect(dobAgreement({ year: 1970 }, [])).toBe('unknown');
    expect(nationalityAgreement('RU', ['RU', 'CY'])).toBe('match');
    expect(nationalityAgreement('Cyprus', ['RU', 'CY'])).toBe('match');
    expect(nationalityAgreement('GB', ['RU'])).toBe('conflict');
    expect(nationalityAgreement('GB', ['Atlantis'])).toBe('unknown');
    expect(nationalityAgreement('Atlantis', ['Atlantis'])).toBe('match');
    expect(nationalityAgreement('Narnia', ['RU'])).toBe('unknown');
  });
});

describe('screen: invisible characters cannot hide a listed name', () => {
  const listed = { dateOfBirth: '1975-11-07', nationality: 'DE' };

  it.each([
    ['soft hyphen (the issue)', 'Anneka Vorn\u00ADholt'],
    ['zero-width joiner', 'Anneka Vorn\u200Dholt'],
    ['word joiner', 'Anneka Vorn\u2060holt'],
    ['byte order mark', '\uFEFFAnneka Vorn\uFEFFholt'],
    ['right-to-left override', 'Anneka \u202EVorn\u202Cholt'],
    ['no-break space between the names', 'Anneka\u00A0Vornholt'],
    ['combining marks inside the name', 'Anneka Vorn\u0336h\u0336olt'],
    ['Cyrillic look-alike letter', 'Anneka VORN\u041DOLT'],
  ])('%s: a hit as strong as the plain name', (_label, name) => {
    const plain = person('Anneka Vornholt', listed);
    const disguised = person(name, listed);
    expect(disguised.hit).toBe(true);
    expect(disguised.score).toBe(plain.score);
    expect(disguised.matches[0].groupId).toBe('90002');
  });

  it('organisations too: a zero-width space inside a listed company name', () => {
    expect(organisation('Baltor\u200Bion Ship\u00ADping Ltd').hit).toBe(true);
  });
});

describe('screen: compound names joined, split or hyphenated', () => {
  // The sample lists "Abdul Wahid QORBANZADEH" (split) and "Abdulrahim ZARVANDI" (joined).
  it.each([
    ['joined, listed split (the issue)', 'Abdulwahid Qorbanzadeh', '90011'],
    ['hyphenated, listed split', 'Abdul-Wahid Qorbanzadeh', '90011'],
    ['joined, swapped order', 'QORBANZADEH, Abdulwahid', '90011'],
    ['joined with a typo in the second part', 'Abdulwahed Qorbanzadeh', '90011'],
    ['split, listed joined', 'Abdul Rahim Zarvandi', '90012'],
    ['hyphenated, listed joined', 'Abdul-Rahim Zarvandi', '90012'],
    ['split at another place, listed joined', 'Abdu Lrahim Zarvandi', '90012'],
  ])('%s: %s', (_label, name, groupId) => {
    const result = person(name);
    expect(result.hit).toBe(true);
    expect(result.matches[0].groupId).toBe(groupId);
  });

  it('works for listed organisations whose words are joined or split', () => {
    // Listed as KRYVOMORSKTELECOM and as PJSC KRYVOMORSK TELECOMMUNICATIONS.
    expect(organisation('Kryvomorsk Telecom').hit).toBe(true);
    expect(organisation('Baltorionshipping Limited').hit).toBe(true);
  });

  it('does not make a match out of a shared part: the rest of the name must still agree', () => {
    expect(person('Abdulwahid Smith').hit).toBe(false);
    expect(person('Abdul Karimzadeh').hit).toBe(false);
    expect(person('Wahidqorban Zadeh').hit).toBe(false);
  });

  it('keeps 0 false positives on the 200 ordinary British names, also written joined or hyphenated', () => {
    const flagged = BRITISH_NAMES.flatMap((name) => [name, name.replace(/ /g, ''), name.replace(/ /g, '-')]).filter(
      (name) => person(name).hit,
    );
    expect(flagged).toEqual([]);
  });

  it('lists the readings it tries', () => {
    const listed = new Set(['ABDUL', 'WAHID']);
    const variants = queryVariants(['ABDULWAHID', 'QORBANZADEH'], (t) => listed.has(t));
    expect(variants).toContainEqual({ tokens: ['ABDUL', 'WAHID', 1], required: 0b11 });
    expect(variants).toContainEqual({ tokens: ['ABDULWAHIDQORBANZADEH'], required: 0b1 });
    const joins = queryVariants(['ABD', 'AL', 'RAHMAN'], () => false).map((v) => v.tokens);
    expect(joins).toEqual([[0, 'ALRAHMAN'], ['ABDAL', 2], ['ABDALRAHMAN']]);
  });

  it('joins and splits against a list built in code, both ways', () => {
    const d = (groupId: string, given: string, surname: string): Designation =>
      ({
        groupId,
        type: 'individual',
        names: [{ full: `${given} ${surname}`, surname, aliasType: 'Primary name' }],
        dobs: [],
        nationalities: [],
        regime: 'Test',
        listedOn: '01/01/2024',
      }) as unknown as Designation;
    const m = new SanctionsMatcher([d('1', 'Nur', 'AL HAQQANIYAR'), d('2', 'Saifuddin', 'BARAKZAIWAL')]);
    const hit = (name: string) => m.screen({ name, kind: 'person' }).hit;
    expect(hit('Nur Alhaqqaniyar')).toBe(true);
    expect(hit('Nur Al-Haqqaniyar')).toBe(true);
    expect(hit('Saif Uddin Barakzaiwal')).toBe(true);
    expect(hit('Saif-ud-din Barakzaiwal')).toBe(true);
    expect(hit('Saif Barakzaiwal Uddin')).toBe(false);
  });
});
