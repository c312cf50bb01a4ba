import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { consoleBuildDir } from '../src/common/http/web-console';
import { TestApp, startTestApp } from './harness/test-app';

/**
 * The web console is served by Gatehouse itself at `/` (SPEC "Web console"), beside an API whose
 * paths keep answering problem+json. Needs the console built (`npm run build`, as CI does first).
 */
describe('web console hosting', () => {
  let t: TestApp;
  beforeAll(async () => {
    if (!consoleBuildDir()) throw new Error('console/dist is missing: run `npm run build` first');
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('serves the console at / with a per-load CSP nonce that its page carries', async () => {
    const a = await t.http().get('/').set('Accept', 'text/html').expect(200);
    const b = await t.http().get('/').set('Accept', 'text/html').expect(200);
    expect(a.headers['content-type']).toMatch(/^text\/html/);
    const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(csp)?.[1];
    const nonce = nonceOf(a.headers['content-security-policy']);
    expect(nonce).toBeDefined();
    expect(a.text).toContain(`<meta name="csp-nonce" content="${nonce}"`);
    expect(nonceOf(b.headers['content-security-policy'])).not.toBe(nonce);
    expect(a.headers['content-security-policy']).toContain("script-src 'self';");
    expect(a.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe/);
    expect(a.headers['cache-control']).toBe('no-cache');
  });

  it('answers the single-page app for deep links, as emails carry them', async () => {
    for (const path of [
      '/verify-email?token=abc',
      '/organisations/0b3c/apps/9f',
      '/customer/consents/x',
      '/consent/uid1',
    ]) {
      const res = await t.http().get(path).set('Accept', 'text/html').expect(200);
      expect(res.text).toContain('<div id="root"></div>');
    }
  });

  it('serves hashed assets with long immutable caching', async () => {
    const asset = readdirSync(join(consoleBuildDir()!, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await t.http().get(`/assets/${asset}`).expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('leaves the API its own: unknown API paths stay problem+json, JSON clients get no HTML', async () => {
    for (const path of ['/v1/nothing-here', '/sandbox/v1/nothing', '/dev/nothing']) {
      const res = await t.http().get(path).set('Accept', 'text/html').expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const json = await t.http().get('/no-such-page').set('Accept', 'application/json').expect(404);
    expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
    await t.http().post('/').send({}).expect(404);
    const docs = await t.http().get('/docs-json').expect(200);
    expect(docs.body.openapi).toMatch(/^3\./);
    const missingAsset = await t.http().get('/assets/not-there.js').set('Accept', '*/*').expect(404);
    expect(missingAsset.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
