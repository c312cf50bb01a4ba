import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HMT_COLUMNS, HmtListError, formatHmtCsv, parseCsv, parseDobs, parseHmtList } from './hmt-list';

const SAMPLE = readFileSync(join(__dirname, 'hmt-sample.csv'), 'utf8');

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, commas and line breaks inside quoted fields', () => {
    const text = 'a,"b, c","say ""hi"""\r\n"multi\r\nline",,x\n"",last';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b, c', 'say "hi"'] },
      { line: 2, fields: ['multi\r\nline', '', 'x'] },
      { line: 4, fields: ['', 'last'] },
    ]);
  });

  it('ignores a BOM, accepts LF, CRLF and lone CR, and a missing final newline', () => {
    expect(parseCsv('\ufeffa,b\r\nc,d\re,f\ng,h').map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
    expect(parseCsv('a,b\n').map((r) => r.fields)).toEqual([['a', 'b']]);
    expect(parseCsv('a,\n').map((r) => r.fields)).toEqual([['a', '']]);
  });

  it('keeps a field with text after its closing quote as written, and a stray quote literally', () => {
    // Malformed, and never in ConList.csv; csv-parse (relax_quotes) keeps such a field verbatim
    // rather than splicing the quoted part and the rest together.
    expect(parseCsv('"ACME" LTD,x\nO"NEILL,y\n').map((r) => r.fields)).toEqual([
      ['"ACME" LTD', 'x'],
      ['O"NEILL', 'y'],
    ]);
  });

  it('rejects an unterminated quoted field', () => {
    expect(() => parseCsv('a,"b\nc')).toThrow(HmtListError);
  });
});

describe('parseDobs', () => {
  it('reads dd/mm/yyyy with 00 for unknown parts', () => {
    expect(parseDobs('00/00/1962')).toEqual([{ year: 1962 }]);
    expect(parseDobs('00/05/1958')).toEqual([{ year: 1958, month: 5 }]);
    expect(parseDobs('14/03/1963')).toEqual([{ year: 1963, month: 3, day: 14 }]);
    expect(parseDobs('15/00/1977')).toEqual([{ year: 1977 }]);
    expect(parseDobs('(1) 01/01/1970 (2) 00/00/1971')).toEqual([{ year: 1970, month: 1, day: 1 }, { year: 1971 }]);
    expect(parseDobs('1970')).toEqual([{ year: 1970 }]);
    expect(parseDobs('')).toEqual([]);
  });
});

describe('parseHmtList on the bundled sample', () => {
  const list = parseHmtList(SAMPLE);

  it('reads the Last Updated line and every row', () => {
    expect(SAMPLE.charCodeAt(0)).toBe(0xfeff);
    expect(SAMPLE).toContain('\r\n');
    expect(list.lastUpdated).toBe('02/09/2024');
    expect(list.rows).toBe(42);
    expect(list.designations).toHaveLength(20);
  });

  it('groups aliases by Group ID with the primary name first, DOBs, nationalities, regime, listed on', () => {
    const d = list.designations.find((x) => x.groupId === '90001');
    expect(d).toEqual({
      groupId: '90001',
      type: 'individual',
      names: [
        { full: 'Dmitrïy Aleksandrovich ØLAFSSON-KOVÁČ', aliasType: 'Primary name', surname: 'ØLAFSSON-KOVÁČ' },
        { full: 'Дмитрий Александрович ОЛАФССОН-КОВАЧ', aliasType: 'Non-Latin script' },
        { full: 'Dmitri OLAFSSON', aliasType: 'AKA', surname: 'OLAFSSON' },
        { full: 'Dmitriy OLAFSSON KOVACH', aliasType: 'Primary name variation', surname: 'OLAFSSON KOVACH' },
      ],
      dobs: [{ year: 1962 }, { year: 1963, month: 3, day: 14 }],
      nationalities: ['RU', 'CY'],
      regime: 'Russia',
      listedOn: '2022-03-16',
    });
  });

  it('reads entities and ships, quoted names and multi-line fields', () => {
    const ooo = list.designations.find((x) => x.groupId === '90101');
    expect(ooo?.type).toBe('entity');
    expect(ooo?.names[0]).toEqual({ full: 'OOO "TORGOVY DOM SEVERNY VETER"', aliasType: 'Primary name' });
    const jsc = list.designations.find((x) => x.groupId === '90103');
    expect(jsc?.names.map((n) => n.full)).toContain('VOLKHOVSKY PRECISION ENGINEERING WORKS, JSC');
    expect(list.designations.find((x) => x.groupId === '90201')?.type).toBe('ship');
  });

  it('keeps unknown nationalities raw and collects DOBs from several rows', () => {
    const d = list.designations.find((x) => x.groupId === '90010');
    expect(d?.nationalities).toEqual(['Atlantis']);
    expect(d?.dobs).toEqual([{ year: 1985 }, { year: 1986 }]);
    expect(list.designations.find((x) => x.groupId === '90004')?.nationalities).toEqual(['SY', 'LB']);
  });

  it('gives the same result without BOM, with LF endings', () => {
    const lf = SAMPLE.replace(/^\ufeff/, '').replace(/\r\n/g, '\n');
    expect(parseHmtList(lf)).toEqual(list);
  });
});

describe('parseHmtList errors and layout', () => {
  it('finds columns by header name', () => {
    const text = 'Last Updated,01/01/2025\nGroup ID,Group Type,Name 6,Name 1,DOB\n7,Individual,DOE,Jane,00/00/1980\n';
    expect(parseHmtList(text).designations).toEqual([
      {
        groupId: '7',
        type: 'individual',
        names: [{ full: 'Jane DOE', aliasType: 'Primary name', surname: 'DOE' }],
        dobs: [{ year: 1980 }],
        nationalities: [],
        regime: '',
        listedOn: '',
      },
    ]);
  });

  it('rejects files without a header, with an unknown Group Type or an empty Group ID', () => {
    expect(() => parseHmtList('hello,world\n1,2\n')).toThrow(/header/);
    expect(() => parseHmtList('Name 6,Group Type,Group ID\nX,Alien,1\n')).toThrow(/line 2: unknown Group Type/);
    expect(() => parseHmtList('Name 6,Group Type,Group ID\nX,Entity,\n')).toThrow(/line 2: empty Group ID/);
    expect(() => parseHmtList('Name 6,Group Type\nX,Entity\n')).toThrow(/header/);
  });

  it('round-trips through formatHmtCsv', () => {
    const text = formatHmtCsv('03/03/2025', [
      { 'Name 6': 'ACME, "THE" LTD', 'Group Type': 'Entity', 'Group ID': '1', 'Other Information': 'two\nlines' },
    ]);
    expect(text.split('\r\n')[1]).toBe(HMT_COLUMNS.join(','));
    const list = parseHmtList(text);
    expect(list.lastUpdated).toBe('03/03/2025');
    expect(list.designations[0].names[0].full).toBe('ACME, "THE" LTD');
  });
});
