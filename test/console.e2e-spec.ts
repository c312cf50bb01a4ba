import { PASSWORD, developer } from './harness/actors';
import { TestBrowser, consoleReady, expectAccessible, launchBrowser, saveScreenshot } from './harness/browser';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

/**
 * The console's browser session end to end in Chromium: the sign-in form starts a cookie session
 * (the token in an HttpOnly cookie the page cannot read), the signed-in page survives a reload,
 * writes carry the CSRF token, and signing out ends the session and clears the cookies.
 */
describe('console sign-in with a browser session (Chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const activeSessions = async (userId: string) =>
    (
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [
        userId,
      ])) as { n: number }[]
    )[0]!.n;

  it('signs a developer in, keeps them signed in across a reload, and signs them out, within the CSP and axe-clean', async () => {
    const dev = await developer(t, 'console');
    const before = await activeSessions(dev.id);
    const { page, context, problems } = await browser.newPage(t.baseUrl);
    await page.goto('/signin');
    await consoleReady(page);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await expectAccessible(page, 'sign-in');
    await page.getByLabel(/^Email/).fill(dev.email);
    await page
      .getByLabel(/^Password/)
      .and(page.locator('input[type="password"]'))
      .fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Your organisations', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/organisations');
    expect(await activeSessions(dev.id)).toBe(before + 1);
    const cookies = Object.fromEntries((await context.cookies()).map((c) => [c.name, c]));
    expect(cookies.gh_session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
    expect(cookies.gh_csrf).toMatchObject({ httpOnly: false, sameSite: 'Strict', path: '/', secure: false });
    // The page's JavaScript sees the CSRF token and never the session token.
    const visible = (await page.evaluate('document.cookie')) as string;
    expect(visible).toContain(`gh_csrf=${cookies.gh_csrf!.value}`);
    expect(visible).not.toContain('gh_session');
    expect(visible).not.toContain(cookies.gh_session!.value);
    await expectAccessible(page, 'organisations (signed in)');
    await saveScreenshot(page, 'developer-signed-in');

    await page.reload();
    await consoleReady(page);
    await page.getByRole('heading', { name: 'Your organisations', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await eventually(async () => (await activeSessions(dev.id)) === before, 10_000, 'the session ended');
    await eventually(
      async () => !(await context.cookies()).some((c) => c.name === 'gh_session' || c.name === 'gh_csrf'),
      10_000,
      'both cookies cleared',
    );
    expect(problems).toEqual([]);
  });
});
