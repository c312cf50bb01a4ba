import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHmtList } from './hmt-list';
import {
  DOB_ADJUSTMENT,
  MATCH_THRESHOLD,
  SanctionsMatcher,
  dobAgreement,
  jaroWinkler,
  nameSimilarity,
  nationalityAgreement,
  phoneticKey,
  toPartialDate,
  tokenSimilarity,
} from './matcher';

const matcher = new SanctionsMatcher(parseHmtList(readFileSync(join(__dirname, 'hmt-sample.csv'), 'utf8')).designations);
const person = (name: string, extra: { dateOfBirth?: string; nationality?: string } = {}) => matcher.screen({ name, kind: 'person', ...extra });
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
  it.each([
    'Anneka Smith', 'Nigel Pritchard', 'Ibrahim Khan', 'Dmitri Ivanov', 'Zoltan', 'Mirela', 'Anna Eriksson',
  ])('%s', (name) => {
    expect(person(name).hit).toBe(false);
  });

  it.each(['Baltic Shipping Limited', 'Northern Trading Limited', 'Meridian Capital Ltd', 'Ocean Shipping Services Ltd'])('organisation %s', (name) => {
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
    expect(person('Anneka Vornholt', { dateOfBirth: '1975-11-07' }).score).toBeCloseTo(Math.min(1, plain + DOB_ADJUSTMENT.exact), 3);
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
