import { MAX_REDIRECT_URIS, validateRedirectUris } from './redirect-uris';

const ok = (uris: unknown, env: 'sandbox' | 'production' = 'production') =>
  expect(validateRedirectUris(uris, env)).toEqual([]);

/** The single error reported for a one-element list. */
function errorFor(uri: unknown, env: 'sandbox' | 'production' = 'production') {
  const errors = validateRedirectUris(['https://app.example.com/ok', uri], env);
  expect(errors).toHaveLength(1);
  expect(errors[0].field).toBe('redirectUris[1]');
  return errors[0].message;
}

describe('validateRedirectUris', () => {
  it('accepts ordinary https URIs, with ports, paths and queries', () => {
    ok(['https://app.example.com/callback']);
    ok(['https://app.example.com:8443/oauth/cb?tenant=1', 'https://APP.example.co.uk/cb']);
    ok(['https://xn--bcher-kva.example.com/cb']);
    expect(errorFor('https://app.example/cb')).toMatch(/public domain/);
  });

  it('requires an array of 1 to 10 entries', () => {
    expect(validateRedirectUris('https://app.example.com/cb', 'production')).toEqual([
      { field: 'redirectUris', message: 'must be an array of URLs' },
    ]);
    expect(validateRedirectUris(undefined, 'sandbox')[0].field).toBe('redirectUris');
    expect(validateRedirectUris([], 'sandbox')).toEqual([
      { field: 'redirectUris', message: 'must contain at least one redirect URI' },
    ]);
    const ten = Array.from({ length: MAX_REDIRECT_URIS }, (_, i) => `https://app.example.com/cb${i}`);
    ok(ten);
    expect(validateRedirectUris([...ten, 'https://app.example.com/cb10'], 'production')).toEqual([
      { field: 'redirectUris', message: 'must contain at most 10 redirect URIs' },
    ]);
  });

  it('requires strings of at most 256 characters', () => {
    expect(errorFor(42)).toBe('must be a string');
    expect(errorFor(null)).toBe('must be a string');
    expect(errorFor('')).toBe('must not be empty');
    const base = 'https://app.example.com/';
    ok([base + 'a'.repeat(256 - base.length)]);
    expect(errorFor(base + 'a'.repeat(257 - base.length))).toMatch(/at most 256 characters/);
  });

  it('requires an absolute URL with a host', () => {
    expect(errorFor('/callback')).toMatch(/absolute URL/);
    expect(errorFor('app.example.com/callback')).toMatch(/absolute URL/);
    expect(errorFor('https:app.example.com/callback')).toMatch(/absolute URL/);
    expect(errorFor('https://')).toMatch(/absolute URL|host/);
    expect(errorFor('https:///callback')).toBe('must have a host');
    expect(errorFor('https://:443/callback')).toMatch(/absolute URL|host/);
  });

  it('requires https; plain http only for loopback in sandbox', () => {
    expect(errorFor('http://app.example.com/cb')).toBe('must use https');
    expect(errorFor('ftp://app.example.com/cb')).toBe('must use https');
    expect(errorFor('com.example.app:/oauth2redirect')).toBe('must use https');
    expect(errorFor('javascript:alert(1)')).toBe('must use https');
    ok(
      ['http://localhost/cb', 'http://localhost:3000/oauth/callback', 'http://127.0.0.1:8080/', 'http://[::1]:9000/cb'],
      'sandbox',
    );
    ok(['http://LOCALHOST:3000/cb'], 'sandbox');
    expect(errorFor('http://app.example.com/cb', 'sandbox')).toMatch(
      /^must use https \(plain http is allowed only for/,
    );
    expect(errorFor('http://localhost.evil.com/cb', 'sandbox')).toMatch(/^must use https/);
    expect(errorFor('http://127.0.0.2/cb', 'sandbox')).toMatch(/^must use https/);
    expect(errorFor('http://localhost:3000/cb', 'production')).toBe('must use https');
    expect(errorFor('http://127.0.0.1/cb', 'production')).toBe('must use https');
  });

  it('refuses loopback and local names in production, allows them in sandbox', () => {
    expect(errorFor('https://localhost/cb')).toMatch(/localhost or a loopback/);
    expect(errorFor('https://127.0.0.1/cb')).toMatch(/localhost or a loopback/);
    expect(errorFor('https://[::1]/cb')).toMatch(/localhost or a loopback/);
    expect(errorFor('https://app.localhost/cb')).toMatch(/localhost or a loopback/);
    expect(errorFor('https://callback/cb')).toMatch(/fully qualified/);
    expect(errorFor('https://printer.local/cb')).toMatch(/public domain/);
    ok(['https://localhost:3000/cb', 'https://127.0.0.1/cb', 'https://callback/cb'], 'sandbox');
  });

  it('refuses every special-use and private suffix in production, trailing dot or not', () => {
    const hosts = [
      'metadata.google.internal',
      'app.alt',
      'app.onion',
      'app.intranet',
      'app.home',
      'app.private',
      'x.home.arpa',
    ];
    for (const host of hosts) {
      expect(errorFor(`https://${host}/cb`)).toMatch(/public domain/);
    }
    expect(errorFor('https://metadata.google.internal./cb')).toMatch(/fully qualified/);
    expect(errorFor('https://localhost./cb')).toMatch(/fully qualified|loopback/);
    // Ordinary public names that merely contain such words stay fine.
    ok(['https://internal.bank.co.uk/cb', 'https://local.example.com/cb']);
  });

  it('keeps RFC 8252 loopback redirects for native apps in sandbox', () => {
    ok(['http://127.0.0.1:51004/oauth2redirect', 'http://[::1]:51004/cb', 'http://localhost:8080/cb'], 'sandbox');
  });

  it('refuses wildcards anywhere', () => {
    expect(errorFor('https://*.example.com/cb')).toMatch(/wildcards/);
    expect(errorFor('https://app.example.com/*')).toMatch(/wildcards/);
    expect(errorFor('https://app.example.com/cb?x=*')).toMatch(/wildcards/);
    expect(errorFor('http://localhost:*/cb', 'sandbox')).toMatch(/wildcards/);
  });

  it('refuses fragments, even empty ones', () => {
    expect(errorFor('https://app.example.com/cb#done')).toMatch(/fragment/);
    expect(errorFor('https://app.example.com/cb#')).toMatch(/fragment/);
  });

  it('refuses user information', () => {
    expect(errorFor('https://user:pass@app.example.com/cb')).toMatch(/user information/);
    expect(errorFor('https://app.example.com@evil.example.net/cb')).toMatch(/user information/);
    expect(errorFor('https://@app.example.com/cb')).toMatch(/user information/);
    // An @ in the path is not userinfo.
    ok(['https://app.example.com/users/@me/cb']);
  });

  it('refuses IP literals except loopback in sandbox', () => {
    expect(errorFor('https://203.0.113.7/cb')).toMatch(/not an IP address/);
    expect(errorFor('https://[2001:db8::1]/cb')).toMatch(/not an IP address/);
    expect(errorFor('https://203.0.113.7/cb', 'sandbox')).toMatch(/not an IP address/);
    expect(errorFor('https://10.0.0.1:8443/cb', 'sandbox')).toMatch(/not an IP address/);
  });

  it('refuses strings the URL parser would have to repair', () => {
    expect(errorFor('https://app.example.com/c b')).toMatch(/whitespace/);
    expect(errorFor(' https://app.example.com/cb')).toMatch(/whitespace/);
    expect(errorFor('https://app.example.com/c\tb')).toMatch(/whitespace/);
    expect(errorFor('https://evil.example.net\\@app.example.com/cb')).toMatch(/backslash/);
    expect(errorFor('http://0x7f.1/cb', 'sandbox')).toMatch(/^must use https/);
    expect(errorFor('https://2130706433/cb', 'sandbox')).toMatch(/canonical form/);
    expect(errorFor('https://app.ex%61mple.com/cb')).toMatch(/canonical form/);
    expect(errorFor('https://bücher.example/cb')).toMatch(/punycode/);
    expect(errorFor('https://app.example.com/a/../cb')).toMatch(/segments/);
    expect(errorFor('https://app.example.com/a/%2E%2E/cb')).toMatch(/segments/);
    expect(errorFor('https://app.example.com/./cb')).toMatch(/segments/);
  });

  it('refuses duplicates, comparing normalised URLs, and points at the later entry', () => {
    expect(
      validateRedirectUris(
        ['https://app.example.com/cb', 'https://b.example.com/cb', 'https://APP.example.com:443/cb'],
        'production',
      ),
    ).toEqual([{ field: 'redirectUris[2]', message: 'duplicates redirectUris[0]' }]);
    // Different paths or queries are different URIs.
    ok(['https://app.example.com/cb', 'https://app.example.com/cb/', 'https://app.example.com/cb?a=1']);
  });

  it('reports every bad entry with its index', () => {
    const errors = validateRedirectUris(
      ['http://app.example.com/cb', 'https://ok.example.com/', 'https://x.example.com/#f', 7],
      'production',
    );
    expect(errors.map((e) => e.field)).toEqual(['redirectUris[0]', 'redirectUris[2]', 'redirectUris[3]']);
  });
});
