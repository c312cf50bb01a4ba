import { ISO_ALPHA3_TO_ALPHA2, icaoCode } from './icao-countries';

describe('icaoCode', () => {
  it('maps the ISO 3166-1 alpha-3 codes and ICAO 9303 codes to alpha-2', () => {
    expect(ISO_ALPHA3_TO_ALPHA2.size).toBe(249);
    expect(icaoCode('DEU')).toEqual({ alpha2: 'DE' });
    expect(icaoCode('D<<')).toEqual({ alpha2: 'DE', note: 'Germany (ICAO code D)' });
    expect(icaoCode('gbn')?.alpha2).toBe('GB');
    expect(icaoCode('XXA')).toEqual({ alpha2: null, note: 'stateless person' });
    expect(icaoCode('UTO')?.alpha2).toBe('UTO');
  });

  it('knows Kosovo only by the ICAO code RKS, not the user-assigned XKK the code library also lists', () => {
    expect(icaoCode('RKS')?.alpha2).toBe('XK');
    expect(icaoCode('XKK')).toBeUndefined();
    expect(ISO_ALPHA3_TO_ALPHA2.has('XKK')).toBe(false);
    expect(icaoCode('ZZZ')).toBeUndefined();
  });
});
