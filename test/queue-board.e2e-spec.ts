import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QUEUE_BOARD_CSP } from '../src/health/queue-board';
import { QueueName } from '../src/queue/queue.registry';
import { PASSWORD, admin, bearer, developer, nextCode, reviewer, staff } from './harness/actors';
import { TestBrowser, launchBrowser } from './harness/browser';
import { TestApp, startTestApp } from './harness/test-app';

/** Signs in through the browser-session contract and returns the Cookie header and CSRF token. */
async function cookieSession(t: TestApp, email: string, totp?: string) {
  const res = await t
    .http()
    .post('/v1/auth/login')
    .send({ email, password: PASSWORD, session: 'cookie', ...(totp ? { totp } : {}) })
    .expect(200);
  const raw = res.headers['set-cookie'] as unknown as string[];
  return {
    cookie: raw.map((line) => line.split(';')[0]).join('; '),
    csrfToken: res.body.csrfToken as string,
    sessionToken: raw
      .find((l) => l.startsWith('gh_session='))!
      .split(';')[0]!
      .slice('gh_session='.length),
  };
}

describe('queue board (Bull Board at /admin/queues, admins only)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('shows every queue to an admin with MFA, by bearer token or by browser-session cookie, under its own CSP', async () => {
    const boss = await admin(t);
    const page = await t.http().get('/admin/queues').set(bearer(boss.token)).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toBe(QUEUE_BOARD_CSP);
    expect(page.text).toContain('<base href="/admin/queues/"');
    const script = /src="(static\/js\/main\.[a-f0-9]+\.js)"/.exec(page.text)![1]!;
    const asset = await t.http().get(`/admin/queues/${script}`).set(bearer(boss.token)).expect(200);
    expect(asset.headers['content-type']).toContain('javascript');
    await t.http().get(`/admin/queues/${script}`).expect(401);

    const browser = await cookieSession(t, boss.email, nextCode(boss.totpSecret!));
    const api = await t.http().get('/admin/queues/api/queues').set('Cookie', browser.cookie).expect(200);
    const names = (api.body.queues as { name: string; readOnlyMode: boolean }[]).map((q) => q.name).sort();
    expect(names).toEqual(Object.values(QueueName).sort());
    expect((api.body.queues as { readOnlyMode: boolean }[]).every((q) => q.readOnlyMode)).toBe(true);
  });

  it('is read-only, and a cookie-authenticated write needs the CSRF token before the board even answers', async () => {
    const boss = await admin(t);
    const browser = await cookieSession(t, boss.email, nextCode(boss.totpSecret!));
    const paused = async () => t.app.get<Queue>(getQueueToken(QueueName.Mail), { strict: false }).isPaused();
    const noCsrf = await t.http().put(`/admin/queues/api/queues/${QueueName.Mail}/pause`).set('Cookie', browser.cookie);
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.type).toBe('urn:gatehouse:problem:csrf-failed');
    await t
      .http()
      .put(`/admin/queues/api/queues/${QueueName.Mail}/pause`)
      .set('Cookie', browser.cookie)
      .set('X-CSRF-Token', browser.csrfToken)
      .expect(405);
    await t.http().put(`/admin/queues/api/queues/${QueueName.Mail}/pause`).set(bearer(boss.token)).expect(405);
    expect(await paused()).toBe(false);
  });

  it('answers 401 to the anonymous and 403 problem+json to developers, reviewers and admins without MFA', async () => {
    const anonymous = await t.http().get('/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    const dev = await developer(t, 'board');
    const rev = await reviewer(t);
    const noMfa = await staff(t, 'admin', false);
    for (const [who, token] of [
      ['developer', dev.token],
      ['reviewer', rev.token],
      ['admin without MFA', noMfa.token],
    ] as const) {
      for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
        const res = await t.http().get(path).set(bearer(token));
        expect({ who, path, status: res.status, type: res.headers['content-type'] }).toEqual({
          who,
          path,
          status: 403,
          type: expect.stringContaining('application/problem+json'),
        });
      }
    }
    const devCookie = await cookieSession(t, dev.email);
    await t.http().get('/admin/queues/api/queues').set('Cookie', devCookie.cookie).expect(403);
  });

  describe('in Chromium', () => {
    let browser: TestBrowser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(() => browser?.close());

    it('renders the queues for a signed-in admin, with no CSP violation but the refused web font', async () => {
      const boss = await admin(t);
      const session = await cookieSession(t, boss.email, nextCode(boss.totpSecret!));
      const { page, context, problems } = await browser.newPage(t.baseUrl);
      const host = new URL(t.baseUrl).hostname;
      await context.addCookies([
        {
          name: 'gh_session',
          value: session.sessionToken,
          domain: host,
          path: '/',
          httpOnly: true,
          sameSite: 'Strict',
        },
      ]);
      await page.goto('/admin/queues');
      await page.getByText(QueueName.AccessLog, { exact: true }).first().waitFor();
      for (const name of Object.values(QueueName)) await page.getByText(name, { exact: true }).first().waitFor();
      expect(problems.filter((p) => !p.includes('fonts.googleapis.com'))).toEqual([]);
    });
  });
});
