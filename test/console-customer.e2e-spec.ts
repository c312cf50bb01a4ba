import { bearer } from './harness/actors';
import {
  TestBrowser,
  WatchedPage,
  consoleReady,
  expectAccessible,
  launchBrowser,
  saveScreenshot,
} from './harness/browser';
import { SandboxApp } from './harness/cases';
import { SignedInCustomer, consentingApp, grantConsent, sandboxCustomer } from './harness/consents';
import { REDIRECT_URI, oidc, pushAuthorization, thirdPartyApp } from './harness/oauth';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

const DAY_MS = 86_400_000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The customer's journey in Chromium, with openid-client as the third-party app: the app pushes an
 * authorization request, the browser opens it, signs in as a sandbox customer, approves on the
 * consent screen sharing one account; the app redeems the code and reads the sandbox data API; the
 * dashboard shows the app, the consent page its access log; narrowing works and widening shows the
 * API's 422 next to the field; revoking from the dashboard takes two clicks and the app's next call is 401.
 */
describe('console: the customer journey (Chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let app: SandboxApp;
  let alice: SignedInCustomer;
  let config: Awaited<ReturnType<typeof thirdPartyApp>>;

  beforeAll(async () => {
    t = await startTestApp({
      publicUrlIsBaseUrl: true,
      env: { SANDBOX_SEED: 'console-customer', SANDBOX_CUSTOMERS: '2' },
    });
    ({ app } = await consentingApp(t, 'console-customer'));
    alice = await sandboxCustomer(t, 0);
    config = await thirdPartyApp(t, app);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The label the consent screen gives one of Alice's accounts: its name and the last four digits. */
  async function accountLabel(accountId: string): Promise<string> {
    const [a] = (await t.dataSource.query(`SELECT name, account_number FROM sandbox_accounts WHERE id = $1`, [
      accountId,
    ])) as { name: string; account_number: string }[];
    return `${a!.name} (****${a!.account_number.slice(-4)})`;
  }

  /** The message the page shows for the form field labelled `label` (its aria-describedby error), if any. */
  async function fieldError(w: WatchedPage, label: string): Promise<string | null> {
    const input = w.page.getByLabel(label, { exact: true });
    if ((await input.getAttribute('aria-invalid')) !== 'true') return null;
    const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
    for (const id of ids) {
      const el = w.page.locator(`[id="${id}"]`);
      if ((await el.count()) > 0 && /error/i.test(id)) return el.innerText();
    }
    return null;
  }

  it('approve on the consent screen, the app reads, the customer sees it, narrows it and revokes it in two clicks', async () => {
    const w = await browser.newPage(t.baseUrl);
    const { page, context, problems } = w;
    // The app's redirect URI is not on this machine. The authorization server's resume step answers
    // the browser with a redirect there: the test takes that redirect as the app receiving the code,
    // and shows the browser a stand-in page instead of following it.
    const budgetly: { callback?: URL } = {};
    await context.route(`${t.baseUrl}/oauth/auth/**`, async (route) => {
      const resumed = await route.fetch({ maxRedirects: 0 });
      const location = resumed.headers()['location'];
      if (!location?.startsWith(REDIRECT_URI)) return route.fulfill({ response: resumed });
      budgetly.callback = new URL(location);
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Budgetly</title>' });
    });

    // 1. The app pushes its request; the browser opens the authorization URL and lands on the consent
    //    page, which sends a signed-out customer to the sandbox sign-in first.
    const pushed = await pushAuthorization(config);
    await page.goto(pushed.url.href);
    await consoleReady(page);
    await page.getByRole('heading', { name: 'Sign in to your bank', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/customer/signin');
    expect(new URL(page.url()).searchParams.get('next')).toMatch(/^\/consent\/[^/]+$/);
    await expectAccessible(page, 'customer sign-in');
    const listed = (await t.http().get('/dev/customers').expect(200)).body.data as { id: string; name: string }[];
    const aliceName = listed.find((c) => c.id === alice.sandboxId)!.name;
    await page.getByRole('radio', { name: aliceName }).check();
    await page.getByRole('button', { name: 'Sign in as this customer' }).click();

    // 2. The consent screen: who asks, what, and Alice's accounts; she shares one.
    await page.getByRole('heading', { name: 'Budgetly asks to see your bank data', level: 1 }).waitFor();
    await page.getByText('Organisation not yet verified by your bank').waitFor();
    await page.getByText('Transactions', { exact: true }).waitFor();
    expect(await page.getByRole('checkbox', { name: /\(\*\*\*\*\d{4}\)$/ }).count()).toBe(alice.accounts.length);
    await expectAccessible(page, 'consent screen');
    // Approving with no account picked says so next to the accounts and records nothing.
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Pick at least one account to share.').first().waitFor();
    const shared = alice.accounts[0]!;
    await page.getByRole('checkbox', { name: await accountLabel(shared) }).check();
    // She also narrows the request to the last 60 days of transactions.
    const from = ymd(Date.now() - 60 * DAY_MS);
    const to = ymd(Date.now());
    await page.getByLabel('From', { exact: true }).fill(from);
    await page.getByLabel('To', { exact: true }).fill(to);
    await page.getByText('Pick at least one account to share.').first().waitFor({ state: 'detached' });
    // The header is fixed: a full-page screenshot taken scrolled down would paint it mid-page.
    await page.evaluate('window.scrollTo(0, 0)');
    await saveScreenshot(page, 'customer-consent-screen');
    await page.getByRole('button', { name: 'Approve' }).click();
    const callback = await eventually(() => budgetly.callback, 10_000, 'the browser sent back to the app');
    await page.waitForURL((u) => u.pathname.startsWith('/oauth/auth/'), { waitUntil: 'load' });
    expect(await page.title()).toBe('Budgetly');

    // 3. The app redeems the code with openid-client and reads the sandbox data API.
    expect(callback.searchParams.get('iss')).toBe(`${t.baseUrl}/oauth`);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: pushed.verifier,
      expectedState: pushed.state,
    });
    const details = tokens.authorization_details as unknown as { consentId: string; accountIds: string[] }[];
    expect(details[0]).toMatchObject({ accountIds: [shared], transactionWindow: { from, to } });
    const consentId = details[0]!.consentId;
    const read = (path: string) => fetch(`${t.baseUrl}${path}`, { headers: bearer(tokens.access_token) });
    const accounts = await read('/sandbox/v1/accounts');
    expect(accounts.status).toBe(200);
    expect(((await accounts.json()) as { data: unknown[] }).data).toHaveLength(1);
    const transactions = await read(`/sandbox/v1/accounts/${shared}/transactions?from=${from}&to=${to}&limit=200`);
    expect(transactions.status).toBe(200);
    const transactionCount = ((await transactions.json()) as { data: unknown[] }).data.length;
    expect(transactionCount).toBeGreaterThan(0);

    // 4. The dashboard lists Budgetly with the consent in plain words.
    await page.goto('/customer');
    await page.getByRole('heading', { name: 'Your connected apps', level: 1 }).waitFor();
    const card = page.getByRole('region', { name: 'Budgetly' });
    await card.waitFor();
    await card.getByText(`Can read your accounts and transactions from ${await accountLabel(shared)}`).waitFor();
    await expectAccessible(page, 'customer dashboard');
    await page.evaluate('window.scrollTo(0, 0)');
    await saveScreenshot(page, 'customer-dashboard');

    // 5. The consent's page: the access log shows both reads (it refreshes itself while open).
    await card.getByRole('link', { name: /^Details, access log and narrowing/ }).click();
    await page.getByRole('heading', { name: 'Budgetly: what you allowed', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/customer/consents/${consentId}`);
    const log = page.getByRole('region', { name: 'What the app read' });
    const transactionsRow = log.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Transactions' }) });
    const accountsRow = log.getByRole('row').filter({ has: page.getByRole('cell', { name: 'List of accounts' }) });
    await transactionsRow.waitFor({ timeout: 15_000 });
    await accountsRow.waitFor({ timeout: 15_000 });
    await expect(transactionsRow.getByRole('cell').last().innerText()).resolves.toBe(String(transactionCount));
    await expect(accountsRow.getByRole('cell').last().innerText()).resolves.toBe('1');
    await expect(transactionsRow.getByRole('cell').nth(3).innerText()).resolves.toMatch(/ to /);
    const receipt = page.getByRole('region', { name: 'Your receipt' });
    const consentNow = (await t.http().get(`/v1/customer/consents/${consentId}`).set(bearer(alice.token)).expect(200))
      .body as { expiresAt: string; receipt: { sha256: string; wordingVersion: string } };
    await receipt.getByText(consentNow.receipt.sha256).waitFor();
    await receipt.getByText(consentNow.receipt.wordingVersion).waitFor();
    await expectAccessible(page, 'customer consent');
    await page.evaluate('window.scrollTo(0, 0)');
    await saveScreenshot(page, 'customer-consent');

    // 6. Widening (a later end) is refused by the API with 422 naming expiresAt, shown next to that field;
    //    nothing changes. Then an earlier end is saved as version 2.
    const later = ymd(Date.parse(consentNow.expiresAt) + 30 * DAY_MS);
    await page.getByLabel('Ends on', { exact: true }).fill(later);
    const refused = page.waitForResponse(
      (r) => r.url().endsWith(`/v1/customer/consents/${consentId}`) && r.request().method() === 'PATCH',
    );
    await page.getByRole('button', { name: 'Save the narrower consent' }).click();
    expect((await refused).status()).toBe(422);
    await expect(eventually(() => fieldError(w, 'Ends on'), 5000, 'the error next to Ends on')).resolves.toMatch(
      /can only move earlier/,
    );
    await expectAccessible(page, 'customer consent with a refused widening');
    const unchanged = (await t.http().get(`/v1/customer/consents/${consentId}`).set(bearer(alice.token)).expect(200))
      .body as { version: number; expiresAt: string };
    expect(unchanged).toMatchObject({ version: 1, expiresAt: consentNow.expiresAt });

    const sooner = ymd(Date.now() + 10 * DAY_MS);
    await page.getByLabel('Ends on', { exact: true }).fill(sooner);
    await page.getByRole('button', { name: 'Save the narrower consent' }).click();
    await page.getByText('Saved: the consent is narrower now (version 2)').waitFor();
    const narrowed = (await t.http().get(`/v1/customer/consents/${consentId}`).set(bearer(alice.token)).expect(200))
      .body as { version: number; expiresAt: string; receipt: { decision: string } };
    expect(narrowed).toMatchObject({
      version: 2,
      expiresAt: `${sooner}T23:59:59.000Z`,
      receipt: { decision: 'narrowed' },
    });
    expect(await fieldError(w, 'Ends on')).toBeNull();
    await expectAccessible(page, 'customer consent after narrowing');

    // 7. From the dashboard, revoking takes two clicks: Revoke, then confirm.
    await page.goto('/customer');
    const revoke = page.getByRole('button', { name: /^Revoke the consent of .* for Budgetly$/ });
    await revoke.click(); // click 1
    const dialog = page.getByRole('dialog', { name: 'Revoke this consent for Budgetly?' });
    await dialog.waitFor();
    // Checked once the dialog has faded in: mid-animation colours are not what anyone reads.
    // (Polled from here: the page's CSP rightly refuses the string evaluation waitForFunction would use.)
    await eventually(
      () =>
        page.evaluate(
          "[...document.querySelectorAll('[role=dialog], [role=dialog] *')].every((e) => getComputedStyle(e).opacity === '1')",
        ),
      5000,
      'the dialog faded in',
    );
    await expectAccessible(page, 'revoke confirmation');
    await dialog.getByRole('button', { name: 'Revoke consent' }).click(); // click 2
    await page
      .getByRole('status')
      .getByText(/is revoked\.$/)
      .waitFor();
    await page.getByText('No active consent: Budgetly cannot read your data.').waitFor();
    const revoked = (await t.http().get(`/v1/customer/consents/${consentId}`).set(bearer(alice.token)).expect(200))
      .body as { status: string; revokedBy: string };
    expect(revoked).toMatchObject({ status: 'revoked', revokedBy: 'customer' });
    // The app's next data call is refused (SPEC: within 1 s).
    await eventually(async () => (await read('/sandbox/v1/accounts')).status === 401, 1000, 'the app refused with 401');
    await expectAccessible(page, 'customer dashboard after revoking');
    expect(problems).toEqual([]);
  });

  it("shows another customer's consent as not found, and an empty dashboard says what happens next", async () => {
    const consent = await grantConsent(t, app, alice);
    const bob = await sandboxCustomer(t, 1);
    const { page, problems } = await browser.newPage(t.baseUrl);
    await page.goto(`/customer/consents/${consent.id}`);
    await consoleReady(page);
    await page.getByRole('heading', { name: 'Sign in to your bank', level: 1 }).waitFor();
    const listed = (await t.http().get('/dev/customers').expect(200)).body.data as { id: string; name: string }[];
    await page.getByRole('radio', { name: listed.find((c) => c.id === bob.sandboxId)!.name }).check();
    await page.getByRole('button', { name: 'Sign in as this customer' }).click();
    await page.getByText('This consent does not exist or is not yours.').waitFor();
    expect(await page.getByText(alice.accounts[0]!).count()).toBe(0);
    expect(await page.getByText('Budgetly').count()).toBe(0);
    await expectAccessible(page, 'consent not found');

    await page.getByRole('link', { name: 'your connected apps' }).click();
    await page.getByRole('heading', { name: 'Your connected apps', level: 1 }).waitFor();
    await page.getByText('No apps connected yet').waitFor();
    await expectAccessible(page, 'empty dashboard');
    expect(problems).toEqual([]);
  });
});
