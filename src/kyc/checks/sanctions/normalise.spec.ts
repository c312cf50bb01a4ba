import { foldName, nameTokens, normaliseName, removeInvisible } from './normalise';

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

describe('invisible characters and look-alike letters', () => {
  it.each([
    ['soft hyphen U+00AD (the issue)', 'Anneka Vorn\u00ADholt'],
    ['zero-width space U+200B', 'Anneka Vorn\u200Bholt'],
    ['zero-width non-joiner U+200C', 'Anneka Vorn\u200Cholt'],
    ['zero-width joiner U+200D', 'Anneka Vorn\u200Dholt'],
    ['word joiner U+2060', 'Anneka Vorn\u2060holt'],
    ['byte order mark U+FEFF', '\uFEFFAnneka Vorn\uFEFFholt'],
    ['right-to-left override U+202E and pop U+202C', 'Anneka \u202EVorn\u202Cholt'],
    ['bidi isolates U+2066..U+2069', 'Anneka \u2066Vornholt\u2069'],
    ['left-to-right mark U+200E', 'Anneka Vorn\u200Eholt'],
    ['combining grapheme joiner U+034F', 'Anneka Vorn\u034Fholt'],
    ['variation selector U+FE0F', 'Anneka Vorn\uFE0Fholt'],
    ['Hangul filler U+3164', 'Anneka Vorn\u3164holt'],
    ['Mongolian vowel separator U+180E', 'Anneka Vorn\u180Eholt'],
    ['tag character U+E0041', 'Anneka Vorn\u{E0041}holt'],
    ['NUL and other C0 controls', 'Anneka Vorn\u0000h\u0007olt'],
    ['DEL and C1 controls', 'Anneka Vorn\u007Fh\u009Bolt'],
    ['stray combining marks', 'Anneka Vorn\u0301h\u0308\u0327olt'],
    ['Cyrillic Н and О inside a Latin word', 'Anneka VORN\u041D\u041ELT'],
    ['Greek omicron inside a Latin word', 'Anneka V\u03BFrnholt'],
  ])('reads a name with a %s as the name', (_label, raw) => {
    expect(foldName(raw)).toBe('ANNEKA VORNHOLT');
  });

  it.each([
    ['no-break space U+00A0', 'Anneka\u00A0Vornholt'],
    ['narrow no-break space U+202F', 'Anneka\u202FVornholt'],
    ['em space U+2003', 'Anneka\u2003Vornholt'],
    ['ideographic space U+3000', 'Anneka\u3000Vornholt'],
    ['tab', 'Anneka\tVornholt'],
    ['line break', 'Anneka\r\nVornholt'],
    ['line separator U+2028', 'Anneka\u2028Vornholt'],
    ['next line U+0085', 'Anneka\u0085Vornholt'],
  ])('treats a %s between words as a space', (_label, raw) => {
    expect(foldName(raw)).toBe('ANNEKA VORNHOLT');
  });

  it('still transliterates words written wholly in Cyrillic, and leaves clean text alone', () => {
    expect(foldName('Анна ВОРНХОЛЬТ')).toBe('ANNA VORNKHOLT');
    expect(removeInvisible('Zoë O\u2019Neil-Smith')).toBe('Zoë O\u2019Neil-Smith');
  });
});

describe('nameTokens', () => {
  it('drops legal forms from organisation names wherever they are', () => {
    expect(nameTokens('Baltorion Shipping Limited', 'organisation')).toEqual(['BALTORION', 'SHIPPING']);
    expect(nameTokens('Baltorion Shipping Ltd.', 'organisation')).toEqual(['BALTORION', 'SHIPPING']);
    expect(nameTokens('OOO "Torgovy Dom Severny Veter"', 'organisation')).toEqual([
      'TORGOVY',
      'DOM',
      'SEVERNY',
      'VETER',
    ]);
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
