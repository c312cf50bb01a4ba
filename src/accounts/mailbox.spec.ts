import { mailboxKey } from './mailbox';

describe('mailboxKey', () => {
  it.each([
    ['case', 'Mixed.Case@Example.COM', 'mixed.case@example.com'],
    ['dotted capital I (Turkish keyboard, glibc lower)', 'M\u0130xed.Case@example.com', 'mixed.case@example.com'],
    ['dotless i', 'M\u0131xed.Case@example.com', 'mixed.case@example.com'],
    ['decomposed Å', 'A\u030Asa@example.com', '\u00E5sa@example.com'],
    ['precomposed Å', '\u00C5sa@example.com', '\u00E5sa@example.com'],
    ['Ångström sign', '\u212Bsa@example.com', '\u00E5sa@example.com'],
    ['full-width letters', '\uFF21da@\uFF25xample.com', 'ada@example.com'],
    ['ligature', '\uFB01nance@example.com', 'finance@example.com'],
    ['sharp s folds like its capital', 'Stra\u00DFe@example.com', 'strasse@example.com'],
    ['capital sharp s', 'STRA\u1E9EE@example.com', 'strasse@example.com'],
    ['Greek final sigma', '\u03B1\u03C3@example.gr', '\u03B1\u03C2@example.gr'],
    ['surrounding space', '  ada@example.com\t', 'ada@example.com'],
    ['IDN domain to punycode', 'ada@B\u00FCcher.Example', 'ada@xn--bcher-kva.example'],
    ['punycode domain stays', 'ada@XN--BCHER-KVA.example', 'ada@xn--bcher-kva.example'],
    ['ideographic full stop in the domain', 'ada@example\u3002com', 'ada@example.com'],
  ])('%s: %j → %j', (_, input, key) => {
    expect(mailboxKey(input)).toBe(key);
  });

  it('keeps ß in a domain, where IDNA says straße and strasse are different domains', () => {
    expect(mailboxKey('a@stra\u00DFe.de')).toBe('a@xn--strae-oqa.de');
    expect(mailboxKey('a@strasse.de')).toBe('a@strasse.de');
  });

  it('keeps different mailboxes apart', () => {
    expect(mailboxKey('ada@example.com')).not.toBe(mailboxKey('ada.l@example.com'));
    expect(mailboxKey('ada+x@example.com')).not.toBe(mailboxKey('ada@example.com'));
    expect(mailboxKey('\u00E5sa@example.com')).not.toBe(mailboxKey('asa@example.com'));
  });

  it('splits at the last @ and is total for strings that are not addresses', () => {
    expect(mailboxKey('"a@b"@Example.com')).toBe('"a@b"@example.com');
    expect(mailboxKey('No At Sign')).toBe('no at sign');
    expect(mailboxKey('x@bad domain')).toBe('x@bad domain');
  });

  it('is idempotent', () => {
    for (const s of [
      'M\u0130xed@B\u00FCcher.Example',
      'STRA\u1E9EE@x.de',
      '\u01C5a@x.com',
      '\u0149@x.com',
      '\u03A3\u03A3@x.gr',
    ]) {
      expect(mailboxKey(mailboxKey(s))).toBe(mailboxKey(s));
    }
  });
});
