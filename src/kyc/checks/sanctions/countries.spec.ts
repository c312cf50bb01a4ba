import { countryCode, parseNationalities } from './countries';

describe('countries', () => {
  it('maps names, variants, demonyms and codes to ISO alpha-2', () => {
    expect(countryCode('Russia')).toBe('RU');
    expect(countryCode('Russian Federation')).toBe('RU');
    expect(countryCode('russian')).toBe('RU');
    expect(countryCode('United Kingdom')).toBe('GB');
    expect(countryCode('UK')).toBe('GB');
    expect(countryCode('gb')).toBe('GB');
    expect(countryCode("Korea, Democratic People's Republic of")).toBeUndefined();
    expect(countryCode('Türkiye')).toBe('TR');
    expect(countryCode('Atlantis')).toBeUndefined();
    expect(countryCode('')).toBeUndefined();
  });

  it('knows every ISO alpha-2 code and XK, also of countries the list names by no name above', () => {
    expect(countryCode('FJ')).toBe('FJ');
    expect(countryCode('np')).toBe('NP');
    expect(countryCode('XK')).toBe('XK');
    expect(countryCode('ZZ')).toBeUndefined();
  });

  it('splits numbered nationality cells and keeps unknown names raw', () => {
    expect(parseNationalities('(1) Syria (2) Lebanon')).toEqual(['SY', 'LB']);
    expect(parseNationalities('Russia')).toEqual(['RU']);
    expect(parseNationalities('(1) Atlantis, (2) Cyprus')).toEqual(['Atlantis', 'CY']);
    expect(parseNationalities('')).toEqual([]);
  });
});
