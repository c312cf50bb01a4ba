import { consoleContentSecurityPolicy, isConsolePath } from './web-console';

describe('isConsolePath', () => {
  it.each(['/', '/signin', '/organisations/1/apps/2', '/consent/abc?x=1', '/customer', '/assets/x.js', '/review'])(
    '%s is the console',
    (path) => expect(isConsolePath(path)).toBe(true),
  );
  it.each([
    '/v1',
    '/v1/me',
    '/oauth/auth',
    '/sandbox/v1/accounts',
    '/docs',
    '/docs-json',
    '/dev/customers',
    '/health/live',
    '/admin/queues',
  ])('%s is the API', (path) => expect(isConsolePath(path)).toBe(false));
  it('does not mistake a console path that merely starts like an API prefix', () => {
    expect(isConsolePath('/v1x')).toBe(true);
    expect(isConsolePath('/developers')).toBe(true);
  });
});

describe('consoleContentSecurityPolicy', () => {
  it('allows scripts from this origin only and styles elements by nonce only', () => {
    const csp = consoleContentSecurityPolicy('n0nce');
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src-elem 'self' 'nonce-n0nce';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
  });
});
