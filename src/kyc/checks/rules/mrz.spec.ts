import { MrzCheckInput, checkMrz, mrzCheckDigit, nameKeys, parseMrz } from './mrz';

const NOW = new Date('2026-03-10T12:00:00.000Z');

// ICAO Doc 9303 Part 4 (TD3) and Part 5 (TD1) specimens.
const TD3_L1 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<';
const TD3_L2 = 'L898902C36UTO7408122F1204159ZE184226B<<<<<10';
const TD3 = `${TD3_L1}\n${TD3_L2}`;
const TD1_L1 = 'I<UTOD231458907<<<<<<<<<<<<<<<';
const TD1_L2 = '7408122F1204159UTO<<<<<<<<<<<6';
const TD1_L3 = 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<';
const TD1 = `${TD1_L1}\n${TD1_L2}\n${TD1_L3}`;

const ANNA = { firstName: 'Anna Maria', lastName: 'Eriksson', dateOfBirth: '1974-08-12', nationality: 'UTO' };
const SPECIMEN_FORM = { documentNumber: 'L898902C3', expiresOn: '2012-04-15', issuingCountry: 'UTO' };

function input(overrides: Partial<MrzCheckInput> = {}): MrzCheckInput {
  return { mrz: TD3, person: { ...ANNA }, form: { ...SPECIMEN_FORM }, ...overrides };
}

/** Replaces the character at `index` of a line. */
function put(line: string, index: number, c: string): string {
  return line.slice(0, index) + c + line.slice(index + 1);
}

/** Another digit than the one at `index`. */
function otherDigit(line: string, index: number): string {
  return put(line, index, String((Number(line[index]) + 1) % 10));
}

interface Td3Fields {
  issuer: string;
  names: string;
  number: string;
  nationality: string;
  dob: string;
  sex: string;
  expiry: string;
  personal?: string;
}

/** A TD3 MRZ with correct check digits. */
function td3(f: Td3Fields): string {
  const l1 = `P<${f.issuer}${f.names}`.padEnd(44, '<').slice(0, 44);
  const number = f.number.padEnd(9, '<');
  const personal = (f.personal ?? '').padEnd(14, '<');
  const body = `${number}${mrzCheckDigit(number)}${f.nationality}${f.dob}${mrzCheckDigit(f.dob)}${f.sex}${f.expiry}${mrzCheckDigit(f.expiry)}${personal}${mrzCheckDigit(personal)}`;
  const composite = body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43);
  return `${l1}\n${body}${mrzCheckDigit(composite)}`;
}

const ZOE = {
  issuer: 'GBR',
  names: 'ANGSTROM<SMITH<<ZOE',
  number: '123456789',
  nationality: 'GBR',
  dob: '900102',
  sex: 'F',
  expiry: '300101',
};
const ZOE_PERSON = { firstName: 'Zoë', lastName: 'Ångström-Smith', dateOfBirth: '1990-01-02', nationality: 'GB' };

describe('mrzCheckDigit', () => {
  it('weights 7-3-1 with < = 0 and A = 10 … Z = 35 (worked by hand)', () => {
    // L898902C3: 21·7 + 8·3 + 9·1 + 8·7 + 9·3 + 0·1 + 2·7 + 12·3 + 3·1 = 316 → 6
    expect(mrzCheckDigit('L898902C3')).toBe(6);
    // 740812: 7·7 + 4·3 + 0 + 8·7 + 1·3 + 2·1 = 122 → 2
    expect(mrzCheckDigit('740812')).toBe(2);
    // 120415: 7 + 6 + 0 + 28 + 3 + 5 = 49 → 9
    expect(mrzCheckDigit('120415')).toBe(9);
    expect(mrzCheckDigit('<<<<<<<<<<<<<<')).toBe(0);
    expect(mrzCheckDigit('Z')).toBe(5); // 35·7 = 245
  });
});

describe('parseMrz', () => {
  it('reads the ICAO TD3 specimen, all five check digits valid', () => {
    const r = parseMrz(TD3, NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.mrz).toMatchObject({
      format: 'TD3',
      documentCode: 'P',
      issuingState: 'UTO',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
      namesMayBeTruncated: false,
      documentNumber: 'L898902C3',
      nationality: 'UTO',
      sex: 'F',
      optionalData: 'ZE184226B',
    });
    expect(r.mrz.dateOfBirth.iso).toBe('1974-08-12');
    expect(r.mrz.expiryDate.iso).toBe('2012-04-15');
    expect(r.mrz.checkDigits.map((d) => [d.field, d.valid])).toEqual([
      ['documentNumber', true],
      ['dateOfBirth', true],
      ['expiryDate', true],
      ['optionalData', true],
      ['composite', true],
    ]);
  });

  it('reads the ICAO TD1 specimen, all four check digits valid', () => {
    const r = parseMrz(TD1, NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.mrz).toMatchObject({
      format: 'TD1',
      documentCode: 'I',
      issuingState: 'UTO',
      documentNumber: 'D23145890',
      nationality: 'UTO',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
    });
    expect(r.mrz.dateOfBirth.iso).toBe('1974-08-12');
    expect(r.mrz.expiryDate.iso).toBe('2012-04-15');
    expect(r.mrz.checkDigits.every((d) => d.valid)).toBe(true);
    expect(r.mrz.checkDigits.map((d) => d.field)).toEqual(['documentNumber', 'dateOfBirth', 'expiryDate', 'composite']);
  });

  it('reads a TD1 document number longer than 9 characters from the optional data', () => {
    const number = 'D23145890123';
    const l1 = `I<UTO${number.slice(0, 9)}<${number.slice(9)}${mrzCheckDigit(number)}`.padEnd(30, '<');
    const l2body = `7408122F1204159UTO<<<<<<<<<<<`;
    const composite = l1.slice(5, 30) + l2body.slice(0, 7) + l2body.slice(8, 15) + l2body.slice(18, 29);
    const r = parseMrz(`${l1}\n${l2body}${mrzCheckDigit(composite)}\n${TD1_L3}`, NOW);
    expect(r.ok && r.mrz.documentNumber).toBe(number);
    expect(r.ok && r.mrz.checkDigits.every((d) => d.valid)).toBe(true);
  });

  it('reads a TD2 zone', () => {
    const l1 = 'I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<';
    const body = 'D231458907UTO7408122F1204159<<<<<<<';
    const composite = body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 35);
    const r = parseMrz(`${l1}\n${body}${mrzCheckDigit(composite)}`, NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.mrz).toMatchObject({
      format: 'TD2',
      documentNumber: 'D23145890',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
    });
    expect(r.mrz.checkDigits.every((d) => d.valid)).toBe(true);
  });

  it('accepts the zone as one run of characters, lower case and with spaces', () => {
    const r = parseMrz(` ${TD3_L1.toLowerCase()}${TD3_L2} `, NOW);
    expect(r.ok && r.mrz.documentNumber).toBe('L898902C3');
    expect(parseMrz(`${TD3_L1}\r\n${TD3_L2.slice(0, 22)} ${TD3_L2.slice(22)}\r\n`, NOW).ok).toBe(true);
  });

  it('rejects zones of the wrong shape, stray characters and visas', () => {
    expect(parseMrz(`${TD3_L1}\n${TD3_L2.slice(0, 43)}`, NOW)).toEqual({
      ok: false,
      reason: expect.stringContaining('44×43'),
    });
    expect(parseMrz(`${TD3_L1}\n${put(TD3_L2, 3, '*')}`, NOW).ok).toBe(false);
    expect(parseMrz(`${put(TD3_L1, 0, 'V')}\n${TD3_L2}`, NOW)).toEqual({
      ok: false,
      reason: expect.stringContaining('visa'),
    });
    expect(parseMrz('', NOW).ok).toBe(false);
  });

  it('chooses the birth century so the date is in the past, and the expiry century within 50 years of now', () => {
    const dob = (yymmdd: string) => {
      const r = parseMrz(td3({ ...ZOE, dob: yymmdd }), NOW);
      return r.ok ? r.mrz.dateOfBirth.iso : undefined;
    };
    expect(dob('100101')).toBe('2010-01-01');
    expect(dob('260310')).toBe('2026-03-10'); // today
    expect(dob('260311')).toBe('1926-03-11'); // tomorrow in 2026 would be the future
    expect(dob('991231')).toBe('1999-12-31');
    const expiry = (yymmdd: string) => {
      const r = parseMrz(td3({ ...ZOE, expiry: yymmdd }), NOW);
      return r.ok ? r.mrz.expiryDate.iso : undefined;
    };
    expect(expiry('751231')).toBe('2075-12-31');
    expect(expiry('770101')).toBe('1977-01-01');
    expect(expiry('120415')).toBe('2012-04-15');
  });

  it('flags dates that do not exist', () => {
    const r = parseMrz(td3({ ...ZOE, dob: '900230' }), NOW);
    expect(r.ok && r.mrz.dateOfBirth.valid).toBe(false);
  });
});

describe('nameKeys', () => {
  it('uppercases, strips diacritics and drops separators, with ICAO long forms as a second spelling', () => {
    expect(nameKeys('Zoë Ångström-Smith')).toEqual(['ZOEANGSTROMSMITH', 'ZOEAANGSTROEMSMITH']);
    expect(nameKeys("O'Brien")).toEqual(['OBRIEN']);
    expect(nameKeys('Straße')).toEqual(['STRASSE']);
    expect(nameKeys('Æsa Øvergård')).toContain('AESAOVERGARD');
    expect(nameKeys('Łukasz Żółć')).toEqual(['LUKASZZOLC']); // ó is not Ö: one spelling
    expect(nameKeys('Müller')).toEqual(['MULLER', 'MUELLER']);
    // Decomposed input (e + combining diaeresis) reads the same as composed.
    expect(nameKeys('Zoe\u0308')).toEqual(['ZOE']);
  });
});

describe('checkMrz', () => {
  it('passes the TD3 specimen against matching person and form', () => {
    const r = checkMrz(input(), NOW);
    expect(r.name).toBe('mrz');
    expect(r.result).toBe('pass');
    expect(r.detail.reason).toMatch(/TD3 MRZ check digits hold/);
    expect(r.detail.compared).toEqual([
      'surname',
      'givenNames',
      'dateOfBirth',
      'nationality',
      'issuingState',
      'documentNumber',
      'expiryDate',
    ]);
  });

  it('passes the TD1 specimen', () => {
    const r = checkMrz(input({ mrz: TD1, form: { documentNumber: 'D23145890', expiresOn: '2012-04-15' } }), NOW);
    expect(r.result).toBe('pass');
  });

  it('passes with only the person known (form fields left empty)', () => {
    expect(checkMrz(input({ form: {} }), NOW).result).toBe('pass');
    expect(checkMrz(input({ form: { documentNumber: null, expiresOn: null, issuingCountry: null } }), NOW).result).toBe(
      'pass',
    );
  });

  describe('detects each corrupted TD3 check digit', () => {
    it.each([
      ['documentNumber', 9],
      ['dateOfBirth', 19],
      ['expiryDate', 27],
      ['optionalData', 42],
      ['composite', 43],
    ])('%s (position %i)', (field, index) => {
      const r = checkMrz(input({ mrz: `${TD3_L1}\n${otherDigit(TD3_L2, index)}` }), NOW);
      expect(r.result).toBe('fail');
      expect(r.detail.badCheckDigits).toContain(field);
      expect(r.detail.reason).toMatch(/check digit is "\d" but the data computes to \d/);
    });
  });

  describe('detects each corrupted TD1 check digit', () => {
    it.each([
      ['documentNumber', 0, 14],
      ['dateOfBirth', 1, 6],
      ['expiryDate', 1, 14],
      ['composite', 1, 29],
    ])('%s (line %i, position %i)', (field, line, index) => {
      const lines = [TD1_L1, TD1_L2, TD1_L3];
      lines[line] = otherDigit(lines[line], index);
      const r = checkMrz(input({ mrz: lines.join('\n'), form: {} }), NOW);
      expect(r.result).toBe('fail');
      expect(r.detail.badCheckDigits).toContain(field);
    });
  });

  it('detects a corrupted data character through its check digit and the composite', () => {
    // Document number L898902C3 → L898902C8: its own check digit and the composite no longer hold.
    const r = checkMrz(input({ mrz: `${TD3_L1}\n${put(TD3_L2, 8, '8')}`, form: {} }), NOW);
    expect(r.result).toBe('fail');
    expect(r.detail.badCheckDigits).toEqual(['documentNumber', 'composite']);
    expect(r.detail.reason).toContain('document number check digit');
  });

  it('accepts a personal-number check digit written as < when the field is empty', () => {
    const mrz = td3({ ...ZOE });
    const [l1, l2] = mrz.split('\n');
    expect(l2[42]).toBe('0');
    const composite = l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 42) + '<';
    const withFiller = `${l1}\n${put(put(l2, 42, '<'), 43, String(mrzCheckDigit(composite)))}`;
    expect(checkMrz({ mrz: withFiller, person: ZOE_PERSON, form: {} }, NOW).result).toBe('pass');
  });

  it('matches a name with diacritics and a hyphen against its MRZ transliteration', () => {
    const r = checkMrz(
      {
        mrz: td3(ZOE),
        person: ZOE_PERSON,
        form: { issuingCountry: 'GB', documentNumber: '123456789', expiresOn: '2030-01-01' },
      },
      NOW,
    );
    expect(r.result).toBe('pass');
    expect(r.detail.nameMatch).toEqual({ surname: 'match', givenNames: 'match' });
  });

  it("matches ICAO's long transliteration (Ö → OE) too", () => {
    const mrz = td3({ ...ZOE, issuer: 'D<<', nationality: 'D<<', names: 'MUELLER<<JOERG' });
    const r = checkMrz(
      {
        mrz,
        person: { firstName: 'Jörg', lastName: 'Müller', dateOfBirth: '1990-01-02', nationality: 'DE' },
        form: { issuingCountry: 'DE' },
      },
      NOW,
    );
    expect(r.result).toBe('pass');
  });

  it('fails a name that differs, naming the field and both values', () => {
    const r = checkMrz({ mrz: td3(ZOE), person: { ...ZOE_PERSON, firstName: 'Zara' }, form: {} }, NOW);
    expect(r.result).toBe('fail');
    expect(r.detail.mismatches).toEqual([{ field: 'givenNames', mrz: 'ZOE', expected: 'Zara', source: 'person' }]);
    expect(r.detail.reason).toBe('The given names differs: MRZ has "ZOE", the person record has "Zara".');
  });

  it('fails a mismatched date of birth', () => {
    const r = checkMrz(input({ person: { ...ANNA, dateOfBirth: '1974-08-13' } }), NOW);
    expect(r.result).toBe('fail');
    expect(r.detail.mismatches).toEqual([
      { field: 'dateOfBirth', mrz: '1974-08-12', expected: '1974-08-13', source: 'person' },
    ]);
  });

  it('compares the birth date on its two-digit year, so a centenarian is not failed by the century guess', () => {
    const mrz = td3({ ...ZOE, dob: '250101' });
    const r = checkMrz({ mrz, person: { ...ZOE_PERSON, dateOfBirth: '1925-01-01' }, form: {} }, NOW);
    expect(r.result).toBe('pass');
  });

  it('warns when the birth date has unknown parts, comparing the known ones', () => {
    const mrz = td3({ ...ZOE, dob: '90<<<<' });
    expect(checkMrz({ mrz, person: ZOE_PERSON, form: {} }, NOW).result).toBe('warn');
    expect(checkMrz({ mrz, person: { ...ZOE_PERSON, dateOfBirth: '1991-01-02' }, form: {} }, NOW).result).toBe('fail');
  });

  it('fails a document number, expiry date or issuing country that differs from the form', () => {
    const r = checkMrz(
      input({ form: { documentNumber: 'L898902C4', expiresOn: '2012-04-16', issuingCountry: 'SE' } }),
      NOW,
    );
    expect(r.result).toBe('fail');
    expect((r.detail.mismatches as { field: string }[]).map((m) => m.field)).toEqual([
      'issuingState',
      'documentNumber',
      'expiryDate',
    ]);
  });

  it('normalises the form document number (case, spaces, hyphens)', () => {
    expect(checkMrz(input({ form: { documentNumber: 'l898-902 c3' } }), NOW).result).toBe('pass');
  });

  it('maps the alpha-3 nationality (and ICAO codes such as D) to the alpha-2 of the person record', () => {
    expect(checkMrz({ mrz: td3(ZOE), person: { ...ZOE_PERSON, nationality: 'IE' }, form: {} }, NOW)).toMatchObject({
      result: 'fail',
      detail: { mismatches: [{ field: 'nationality', mrz: 'GBR (GB)', expected: 'IE', source: 'person' }] },
    });
    const german = td3({ ...ZOE, nationality: 'D<<' });
    expect(checkMrz({ mrz: german, person: { ...ZOE_PERSON, nationality: 'DE' }, form: {} }, NOW).result).toBe('pass');
    const bno = td3({ ...ZOE, nationality: 'GBN' });
    expect(checkMrz({ mrz: bno, person: ZOE_PERSON, form: {} }, NOW).result).toBe('pass');
  });

  it('warns when the nationality code names no country (stateless, refugee, UN)', () => {
    const r = checkMrz({ mrz: td3({ ...ZOE, nationality: 'XXA' }), person: ZOE_PERSON, form: {} }, NOW);
    expect(r.result).toBe('warn');
    expect(r.detail.reason).toContain('stateless person');
  });

  it('fails an unknown nationality code', () => {
    const r = checkMrz({ mrz: td3({ ...ZOE, nationality: 'QQQ' }), person: ZOE_PERSON, form: {} }, NOW);
    expect(r.result).toBe('fail');
    expect(r.detail.reason).toContain('"QQQ"');
  });

  describe('long names cut short at the end of the line', () => {
    const longSurname = 'WOLFESCHLEGELSTEINHAUSENBERGERDORFF'; // 35 characters
    const person = {
      firstName: 'Hubert Blaine',
      lastName: 'Wolfeschlegelsteinhausenbergerdorff',
      dateOfBirth: '1990-01-02',
      nationality: 'GB',
    };

    it('accepts given names cut to a prefix', () => {
      const mrz = td3({ ...ZOE, names: `${longSurname}<<HUBERT<BLAINE` }); // the helper cuts line 1 at 44
      expect(mrz.split('\n')[0].endsWith('<<HU')).toBe(true);
      const r = checkMrz({ mrz, person, form: {} }, NOW);
      expect(r.result).toBe('pass');
      expect(r.detail.nameMatch).toEqual({ surname: 'match', givenNames: 'truncated-match' });
      expect(r.detail.reason).toContain('cut short');
    });

    it('still fails a cut name that is not a prefix', () => {
      const mrz = td3({ ...ZOE, names: `${longSurname}<<HUBERT<BLAINE` });
      const r = checkMrz({ mrz, person: { ...person, firstName: 'Blaine' }, form: {} }, NOW);
      expect(r.result).toBe('fail');
    });

    it('does not treat a name that merely ends early as truncated', () => {
      const r = checkMrz({ mrz: td3({ ...ZOE, names: 'ANGSTROM<SMITH<<Z' }), person: ZOE_PERSON, form: {} }, NOW);
      expect(r.result).toBe('fail');
    });

    it('warns when the surname alone fills the field, so the given names cannot be compared', () => {
      const mrz = td3({ ...ZOE, names: `${longSurname}ABCDEFGH` });
      const r = checkMrz({ mrz, person: { ...person, lastName: `${longSurname}ABCDEFGHIJ` }, form: {} }, NOW);
      expect(r.result).toBe('warn');
      expect(r.detail.nameMatch).toEqual({ surname: 'truncated-match', givenNames: 'not-present' });
    });
  });

  it('warns when the document is linked to no person, still checking digits and the form', () => {
    const r = checkMrz({ mrz: TD3, person: undefined, form: SPECIMEN_FORM }, NOW);
    expect(r.result).toBe('warn');
    expect(r.detail.reason).toContain('linked to no person');
    expect(r.detail.compared).toEqual(['issuingState', 'documentNumber', 'expiryDate']);
    expect(checkMrz({ mrz: `${TD3_L1}\n${otherDigit(TD3_L2, 19)}`, person: null, form: {} }, NOW).result).toBe('fail');
  });

  it('fails an unreadable zone with the reason', () => {
    const r = checkMrz(input({ mrz: 'P<UTOERIKSSON' }), NOW);
    expect(r).toMatchObject({ name: 'mrz', result: 'fail', detail: { parsed: false } });
    expect(r.detail.reason).toMatch(/not a TD1/);
  });

  it('reports every problem at once', () => {
    const r = checkMrz(
      input({ mrz: `${TD3_L1}\n${otherDigit(TD3_L2, 19)}`, person: { ...ANNA, lastName: 'Andersson' } }),
      NOW,
    );
    expect(r.result).toBe('fail');
    expect(r.detail.reason).toMatch(/date of birth check digit.*surname differs/i);
  });
});
