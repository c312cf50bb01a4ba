import { TestApp, startTestApp } from './harness/test-app';
import { TestBrowser, consoleReady, expectAccessible, launchBrowser, saveScreenshot } from './harness/browser';

/** The first thing a newcomer sees after `npm start`: what Gatehouse is and the three ways in. */
describe('console home (Chromium)', () => {
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

  it('shows the three ways in and how to create the first staff account, accessibly and within its CSP', async () => {
    const { page, problems } = await browser.newPage(t.baseUrl);
    await page.goto('/');
    await consoleReady(page);
    await page.getByRole('heading', { name: 'Welcome to Gatehouse', level: 1 }).waitFor();
    for (const name of ['Developers', 'Bank staff', 'Bank customers'])
      await page.getByRole('heading', { name, level: 2 }).waitFor();
    expect(await page.getByText('npm run staff:create').count()).toBe(1);
    await expectAccessible(page, 'home');
    await saveScreenshot(page, 'home');
    expect(problems).toEqual([]);

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create a developer account' }).waitFor();
    await expectAccessible(page, 'sign-up');
    await page.getByRole('link', { name: 'Sign in' }).last().click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await expectAccessible(page, 'sign-in');
    expect(problems).toEqual([]);
  });
});
