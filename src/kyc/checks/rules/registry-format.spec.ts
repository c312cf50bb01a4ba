import {
  COMPANIES_HOUSE_PREFIXES,
  checkFirmReferenceFormat,
  checkRegistrationNumber,
  normaliseRegistrationNumber,
} from './registry-format';

describe('checkRegistrationNumber (GB, Companies House)', () => {
  it('passes 8 digits, for England and Wales', () => {
    expect(checkRegistrationNumber('GB', '08407369')).toMatchObject({
      name: 'registration_number_format',
      result: 'pass',
      detail: { canonical: '08407369', prefix: null },
    });
  });

  it('puts back leading zeros that were left off', () => {
    expect(checkRegistrationNumber('GB', '8407369')).toMatchObject({
      result: 'pass',
      detail: { canonical: '08407369' },
    });
    expect(checkRegistrationNumber('GB', 'SC12345')).toMatchObject({
      result: 'pass',
      detail: { canonical: 'SC012345' },
    });
  });

  it.each([
    'SC234456',
    'NI012345',
    'OC301540',
    'SO300001',
    'NC000123',
    'LP012345',
    'SL001234',
    'FC031362',
    'R0000123',
    'OE012345',
    'RC000766',
    'ZC000123',
  ])('passes the prefixed number %s', (n) => {
    const r = checkRegistrationNumber('GB', n);
    expect(r.result).toBe('pass');
    expect(r.detail.prefix).toBe(n.slice(0, 2));
    expect(r.detail.reason).toContain(COMPANIES_HOUSE_PREFIXES.get(n.slice(0, 2)));
  });

  it('normalises case, spaces, dots and hyphens', () => {
    expect(normaliseRegistrationNumber(' sc 234-456 ')).toBe('SC234456');
    expect(checkRegistrationNumber('gb', 'sc 234 456')).toMatchObject({
      result: 'pass',
      detail: { country: 'GB', canonical: 'SC234456' },
    });
  });

  it('warns on 8 characters with an unknown prefix or an unusual shape', () => {
    expect(checkRegistrationNumber('GB', 'QQ123456').result).toBe('warn');
    expect(checkRegistrationNumber('GB', 'NI12345A')).toMatchObject({
      result: 'warn',
      detail: { reason: expect.stringContaining('confirm it on the register') },
    });
  });

  it.each(['123456789', 'SC1234567', 'S1234567X9', 'ABC', 'SC-ABC', '00000000', ''])('fails %j', (n) => {
    expect(checkRegistrationNumber('GB', n).result).toBe('fail');
  });
});

describe('checkRegistrationNumber (other countries)', () => {
  it('warns that the format is not checked', () => {
    const r = checkRegistrationNumber('FR', '552 100 554');
    expect(r).toMatchObject({ result: 'warn', detail: { country: 'FR', formatChecked: false } });
    expect(r.detail.reason).toMatch(/^Registration number format not checked for FR/);
  });

  it('still fails an empty number', () => {
    expect(checkRegistrationNumber('FR', ' ').result).toBe('fail');
  });
});

describe('checkFirmReferenceFormat', () => {
  it.each(['122702', '1000045', ' 122 702 '])('passes %j', (frn) => {
    expect(checkFirmReferenceFormat(frn)).toMatchObject({ name: 'firm_reference_number_format', result: 'pass' });
  });

  it.each(['12345', '12345678', 'FRN122702', '12270A', '', null, undefined])('fails %j', (frn) => {
    expect(checkFirmReferenceFormat(frn).result).toBe('fail');
  });
});
