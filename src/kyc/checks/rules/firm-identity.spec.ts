import { companyNumberKey, firmMismatches, firmNameKey, sameFirmName } from './firm-identity';

describe("firm identity: is the register's firm the organisation?", () => {
  it.each([
    ['case', 'Acme Payments Ltd', 'ACME PAYMENTS LTD'],
    ['Ltd / Limited', 'Acme Payments Ltd', 'Acme Payments Limited'],
    ['Ltd. with punctuation', 'Acme Payments Ltd', 'Acme-Payments Ltd.'],
    ['& / and', 'Smith & Jones Payments Ltd', 'Smith and Jones Payments Limited'],
    ['The at the start', 'The Acme Payments Company Ltd', 'Acme Payments Co Ltd'],
    ['The at the end', 'Acme Payments Ltd, The', 'The Acme Payments Limited'],
    ['PLC spelt out', 'Northwind Bank Public Limited Company', 'Northwind Bank plc'],
    ['Welsh Cyfyngedig', 'Cwmni Taliadau Cyfyngedig', 'Cwmni Taliadau Ltd'],
    ['accents and spacing', 'Café Pay Ltd', 'CAFEPAY LIMITED'],
    ['legal form on one side only', 'Acme Payments Ltd', 'Acme Payments'],
  ])('the same firm despite %s', (_label, a, b) => {
    expect(sameFirmName(a, b)).toBe(true);
    expect(sameFirmName(b, a)).toBe(true);
  });

  it.each([
    ['a different firm (the issue)', 'Acme Payments Ltd', 'Bughunt Widgets Ltd'],
    ['an extra word', 'Acme Payments Ltd', 'Acme Payments Holdings Ltd'],
    ['a missing word', 'Acme Payments Europe Ltd', 'Acme Payments Ltd'],
    ['another legal form', 'Acme Payments Ltd', 'Acme Payments LLP'],
    ['a one-letter difference', 'Acme Payments Ltd', 'Acne Payments Ltd'],
    ['"& Co" is part of the name', 'Smith & Co Ltd', 'Smith Ltd'],
    ['the words in another order', 'Acme Payments Ltd', 'Payments Acme Ltd'],
  ])('a different firm: %s', (_label, a, b) => {
    expect(sameFirmName(a, b)).toBe(false);
    expect(sameFirmName(b, a)).toBe(false);
  });

  it('reduces a name to its body and legal form', () => {
    expect(firmNameKey('The Acme Payments Limited')).toEqual({ body: 'ACMEPAYMENTS', form: 'LTD' });
    expect(firmNameKey('Smith & Co')).toEqual({ body: 'SMITHANDCO', form: null });
  });

  it('compares Companies House numbers as Companies House writes them', () => {
    expect(companyNumberKey('1234567')).toBe('01234567');
    expect(companyNumberKey(' sc 123456 ')).toBe('SC123456');
    expect(
      firmMismatches(
        { name: 'Acme Payments Ltd', companiesHouseNumber: '01234567' },
        { legalName: 'Acme Payments Limited', registrationNumber: '1234567' },
      ),
    ).toEqual([]);
  });

  it('lists every mismatch: the name, and the number when the register has one', () => {
    const firm = { name: 'Acme Payments Ltd', companiesHouseNumber: '12345678' };
    expect(firmMismatches(firm, { legalName: 'Bughunt Widgets Ltd', registrationNumber: '87654321' })).toEqual([
      'name',
      'companies_house_number',
    ]);
    expect(firmMismatches(firm, { legalName: 'Acme Payments Ltd', registrationNumber: 'SC123456' })).toEqual([
      'companies_house_number',
    ]);
    expect(
      firmMismatches({ name: 'Acme Payments Ltd' }, { legalName: 'Acme Payments Ltd', registrationNumber: '87654321' }),
    ).toEqual([]);
  });
});
