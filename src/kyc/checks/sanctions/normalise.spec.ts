import { foldName, nameTokens, normaliseName } from './normalise';

describe('foldName', () => {
  it('upper-cases and strips diacritics', () => {
    expect(foldName('Zoltán Béla Feketeházy')).toBe('ZOLTAN BELA FEKETEHAZY');
    expect(foldName('Mirela Drăgulescu-Petraș')).toBe('MIRELA DRAGULESCU PETRAS');
    expect(foldName('Dmitrïy Ølafsson-Kováč')).toBe('DMITRIY OLAFSSON KOVAC');
  });

  it('spells out letters that do not decompose', () => {
    expect(foldName('Straße')).toBe('STRASSE');
    expect(foldName('Ævar Guðmundssönn Lækur')).toBe('AEVAR GUDMUNDSSONN LAEKUR');
    expect(foldName('Łukasz Żelisław')).toBe('LUKASZ ZELISLAW');
    expect(foldName('Þór Œuvre Đorđe ıi')).toBe('THOR OEUVRE DORDE II');
  });

  it('transliterates Cyrillic', () => {
    expect(foldName('Евгений Краснолуцкий')).toBe('EVGENIY KRASNOLUTSKIY');
    expect(foldName('ООО «Северный Ветер»')).toBe('OOO SEVERNYY VETER');
  });

  it('removes apostrophes and full stops without a space, other punctuation with one', () => {
    expect(foldName("O'Neil")).toBe('ONEIL');
    expect(foldName('J.S.C. "Volkhov"')).toBe('JSC VOLKHOV');
    expect(foldName('Smith,  John -- (Jr)')).toBe('SMITH JOHN JR');
    expect(foldName('  ')).toBe('');
  });
});

describe('nameTokens', () => {
  it('drops legal forms from organisation names wherever they are', () => {
    expect(nameTokens('Baltorion Shipping Limited', 'organisation')).toEqual(['BALTORION', 'SHIPPING']);
    expect(nameTokens('Baltorion Shipping Ltd.', 'organisation')).toEqual(['BALTORION', 'SHIPPING']);
    expect(nameTokens('OOO "Torgovy Dom Severny Veter"', 'organisation')).toEqual(['TORGOVY', 'DOM', 'SEVERNY', 'VETER']);
    expect(nameTokens('Severny Veter Limited Liability Company', 'organisation')).toEqual(['SEVERNY', 'VETER']);
    expect(nameTokens('Volkhov Open Joint Stock Company', 'organisation')).toEqual(['VOLKHOV']);
    expect(nameTokens('Zafrani Holdings S.A.', 'organisation')).toEqual(['ZAFRANI']);
    expect(nameTokens('Smith & Co GmbH', 'organisation')).toEqual(['SMITH']);
  });

  it('keeps the words when the name is nothing but a legal form', () => {
    expect(nameTokens('Holdings Limited', 'organisation')).toEqual(['HOLDINGS', 'LIMITED']);
  });

  it('keeps legal-form words in people names but drops leading honorifics', () => {
    expect(nameTokens('Mr Co Sa', 'person')).toEqual(['CO', 'SA']);
    expect(nameTokens('Dr. Anna Eriksson', 'person')).toEqual(['ANNA', 'ERIKSSON']);
    expect(nameTokens('Miss', 'person')).toEqual(['MISS']);
  });
});

describe('normaliseName', () => {
  it('gives the same key whatever the word order', () => {
    const a = normaliseName('Eriksson, Anna', 'person');
    const b = normaliseName('anna ERIKSSON', 'person');
    expect(a.tokens).toEqual(['ERIKSSON', 'ANNA']);
    expect(a.sorted).toEqual(['ANNA', 'ERIKSSON']);
    expect(a.key).toBe(b.key);
  });
});
