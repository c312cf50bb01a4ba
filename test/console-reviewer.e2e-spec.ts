import type { Page } from 'playwright-core';
import { TestApp, startTestApp } from './harness/test-app';
import { TestBrowser, consoleReady, expectAccessible, launchBrowser, saveScreenshot } from './harness/browser';
import { PASSWORD, bearer, codeAt, developer, staff } from './harness/actors';
import { queuedCase } from './harness/cases';
import { eventually } from './harness/wait';

/** Signs in through the console's form; `totp` for staff with two-factor authentication. */
async function signIn(page: Page, email: string, totp?: string): Promise<void> {
  await page.goto('/signin');
  await consoleReady(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  if (totp) await page.getByLabel('Authenticator code').fill(totp);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * A reviewer's day in Chromium: a new staff member without two-factor authentication signs in, enrols
 * TOTP from the QR code page, signs in again with a code, waits for work, claims the case of an
 * organisation a developer submitted, reads its documents inline and its checks, approves it with a
 * reason, and finds the decision in the audit log.
 */
describe('console: reviewer journey (Chromium)', () => {
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

  it('enrols TOTP, claims the next case, sees its documents and checks, approves it, and the audit log shows it', async () => {
    const senior = await staff(t, 'senior_reviewer', false);
    const { page, problems } = await browser.newPage(t.baseUrl);

    // First sign-in: without two-factor authentication the console goes straight to enrolment.
    await signIn(page, senior.email);
    await page.getByRole('heading', { name: 'Set up two-factor authentication', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/review/enrol');
    await expectAccessible(page, 'reviewer enrolment (start)');
    await page.getByRole('button', { name: 'Show my set-up code' }).click();
    const secretEl = page.getByTestId('totp-secret');
    await secretEl.waitFor();
    const secret = (await secretEl.getAttribute('data-secret'))!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect((await secretEl.textContent())!.replace(/\s/g, '')).toBe(secret);
    // The QR code is a real image (an SVG data: URL drawn in the page).
    const qr = page.getByRole('img', { name: /QR code for your authenticator app/ });
    await page.waitForFunction((el) => (el as { naturalWidth: number }).naturalWidth > 0, await qr.elementHandle());
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    await expectAccessible(page, 'reviewer enrolment (QR code)');
    await saveScreenshot(page, 'reviewer-enrol');

    // A wrong code is refused next to the field; the right one turns two-factor on.
    const valid = [-1, 0, 1].map((step) => codeAt(secret, step));
    const wrong = ['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!;
    await page.getByLabel('Six-digit code').fill(wrong);
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByText('The code is not right or was used already').waitFor();
    await page.getByLabel('Six-digit code').fill(codeAt(secret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByRole('heading', { name: 'Review queue', level: 1 }).waitFor();
    await page.getByText('Two-factor authentication is on').waitFor();

    // Signing in again needs the code now (the enrolment's code is spent: the next step's is accepted).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Review queue' }).waitFor({ state: 'detached' });
    await signIn(page, senior.email);
    await page
      .getByText(/authenticator code is required|code/i)
      .first()
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/signin');
    await signIn(page, senior.email, codeAt(secret, 1));
    await page.getByRole('heading', { name: 'Review queue', level: 1 }).waitFor();

    // Nothing waits yet; the page keeps looking while a developer submits an organisation.
    await page.getByText('No case is waiting.').waitFor();
    await page.getByRole('button', { name: 'Claim next task' }).click();
    await page.getByText('Nothing to claim right now.').waitFor();
    await expectAccessible(page, 'review queue (empty)');
    const dev = await developer(t, 'kyb-owner');
    const org = await queuedCase(t, dev);
    await page.getByText('1 case is waiting.').waitFor({ timeout: 15_000 });
    await expectAccessible(page, 'review queue');
    await saveScreenshot(page, 'reviewer-queue');

    // Claim: the case opens with its documents shown inline from the API, with the session cookie.
    const contents: { status: number; type: string | undefined }[] = [];
    page.on('response', (r) => {
      if (/\/v1\/organisations\/[^/]+\/documents\/[^/]+\/content$/.test(new URL(r.url()).pathname))
        contents.push({ status: r.status(), type: r.headers()['content-type'] });
    });
    await page.getByRole('button', { name: 'Claim next task' }).click();
    await page.waitForURL(/\/review\/tasks\/[0-9a-f-]{36}$/);
    const taskId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('heading', { name: /Organisation verification/, level: 1 }).waitFor();
    const picture = page.getByRole('img', { name: /driving licence of/i });
    await picture.waitFor();
    await page.waitForFunction(
      (el) => (el as { naturalWidth: number }).naturalWidth > 0,
      await picture.elementHandle(),
    );
    const pdf = page.locator('iframe[title="certificate of incorporation"]');
    await pdf.waitFor();
    expect(await pdf.getAttribute('src')).toMatch(/^blob:/);
    await eventually(async () => contents.length >= 2, 10_000, 'both documents fetched');
    expect(
      contents
        .filter((c) => c.status === 200)
        .map((c) => c.type?.split(';')[0])
        .sort(),
    ).toEqual(expect.arrayContaining(['application/pdf', 'image/png']));
    // Every check says what it looks at.
    await page
      .getByText(/really is the PDF, JPEG or PNG it claims to be/)
      .first()
      .waitFor();
    await page
      .getByText(/screened against the sanctions list/)
      .first()
      .waitFor();
    // Reason codes come from the API's own list.
    await page.getByRole('checkbox', { name: 'Documents verified and consistent' }).waitFor();
    await expectAccessible(page, 'review case');
    await saveScreenshot(page, 'reviewer-case');

    // The decision: without a reason the server's complaint shows next to the reasons; with one it is recorded.
    const note = 'Certificate and licence match the register and the director.';
    await page.getByRole('textbox', { name: 'Note' }).fill(note);
    await page.getByRole('button', { name: 'Record decision' }).click();
    await page.getByText('The decision was not recorded').waitFor();
    // Next to the reasons, not only at the top.
    await page.locator('.mantine-CheckboxGroup-error', { hasText: /reasonCodes must contain at least 1/ }).waitFor();
    await expectAccessible(page, 'review case (decision refused)');
    await page.getByRole('checkbox', { name: 'Documents verified and consistent' }).check();
    await page.getByRole('checkbox', { name: 'Identity of directors and owners confirmed' }).check();
    await page.getByRole('button', { name: 'Record decision' }).click();
    await page.getByText('Decision recorded. The case is now approved.').waitFor();
    await page.getByText('This case is decided').waitFor({ state: 'detached' });
    await expectAccessible(page, 'review case (decided)');
    await saveScreenshot(page, 'reviewer-case-decided');

    // Seniors can suspend an approved organisation from its case, and reinstate it, with a reason.
    await page.getByRole('heading', { name: 'Suspend this organisation' }).waitFor();
    await page.getByRole('textbox', { name: 'Reason' }).fill('Register shows the company in liquidation.');
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await page.getByText('The organisation is now suspended.').waitFor();
    await page.getByRole('heading', { name: 'Reinstate this organisation' }).waitFor();
    await expectAccessible(page, 'review case (suspended)');
    await page.getByRole('textbox', { name: 'Reason' }).fill('Liquidation notice withdrawn.');
    await page.getByRole('button', { name: 'Reinstate', exact: true }).click();
    await page.getByText('The organisation is now approved.').waitFor();

    // The developer sees the approval; the audit log holds the decision and the document views.
    const verification = await t.http().get(`/v1/organisations/${org}/verification`).set(bearer(dev.token)).expect(200);
    expect(verification.body.status).toBe('approved');
    const entries = (await t.dataSource.query(
      `SELECT action, after FROM audit_entries WHERE subject_type = 'organisation' AND subject_id = $1 AND actor_id = $2`,
      [org, senior.id],
    )) as { action: string; after: Record<string, unknown> | null }[];
    expect(entries.find((e) => e.after?.note === note)).toMatchObject({
      after: { taskId, reasonCodes: ['documents_verified', 'identity_confirmed'] },
    });
    const views = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'document.viewed' AND actor_id = $1`,
      [senior.id],
    )) as { n: number }[];
    expect(views[0]!.n).toBeGreaterThanOrEqual(2);

    // Seniors search the audit log by subject and verify the chain in the browser.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByLabel('Subject type').fill('organisation');
    await page.getByLabel('Subject id').fill(org);
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByRole('cell', { name: /verification approve/ })
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Verify the audit chain' }).click();
    await page.getByText('The chain holds').waitFor();
    await expectAccessible(page, 'audit log');
    await saveScreenshot(page, 'reviewer-audit');
    expect(problems).toEqual([]);
  });

  it('admins manage staff accounts and retry undelivered emails; reviewers are kept out of those pages', async () => {
    const admin = await staff(t, 'admin');
    const { page, problems } = await browser.newPage(t.baseUrl);
    await signIn(page, admin.email, codeAt(admin.totpSecret!, 1));
    await page.getByRole('heading', { name: 'Review queue', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Queues health' }).getAttribute('href')).toBe('/admin/queues');

    await page.getByRole('link', { name: 'Staff accounts' }).click();
    await page.getByRole('heading', { name: 'Staff accounts', level: 1 }).waitFor();
    await page.getByLabel('Email').fill('not an email');
    await page.getByLabel('Name').fill('Rita Reviewer');
    await page.getByLabel('First password', { exact: false }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('email must be an email address').waitFor();
    const email = `rita-${Date.now().toString(36)}@bank.example`;
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Rita Reviewer can now sign in').waitFor();
    await page.getByRole('cell', { name: email }).waitFor();
    await expectAccessible(page, 'staff accounts');
    await saveScreenshot(page, 'reviewer-staff');

    // An email that failed every attempt (as the worker leaves it) is listed and sent again.
    const [dead] = (await t.dataSource.query(
      `INSERT INTO outbox_messages (recipient, template, data, status, attempts, last_error)
       VALUES ('owner@example.com', 'organisation-approved',
               '{"organisationId": "5f0c8f1e-8f44-4c57-9d53-2b1e7c4d9a10", "organisationName": "Acme Payments Ltd"}',
               'dead', 5, 'connect ECONNREFUSED') RETURNING id`,
    )) as { id: string }[];
    await page.getByRole('link', { name: 'Undelivered emails' }).click();
    await page.getByRole('heading', { name: 'Undelivered emails', level: 1 }).waitFor();
    await page.getByText('connect ECONNREFUSED').waitFor();
    await expectAccessible(page, 'undelivered emails');
    await saveScreenshot(page, 'reviewer-emails');
    await page.getByRole('button', { name: 'Send again to owner@example.com' }).click();
    await page.getByText('Every email was delivered. Nothing to do.').waitFor();
    // Put back in line for a fresh round of attempts (whatever the mail server does with it next).
    const [row] = (await t.dataSource.query(`SELECT dispatch_generation FROM outbox_messages WHERE id = $1`, [
      dead!.id,
    ])) as { dispatch_generation: number }[];
    expect(row!.dispatch_generation).toBe(1);

    // The new reviewer signs in (two-factor first) and cannot open the admin pages.
    const reviewerPage = await browser.newPage(t.baseUrl);
    await signIn(reviewerPage.page, email);
    await reviewerPage.page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    await reviewerPage.page.goto('/review/staff');
    await consoleReady(reviewerPage.page);
    await reviewerPage.page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();

    // A reviewer with two-factor authentication is sent back to the queue from an admin page, and told why.
    const reviewer = await staff(t, 'reviewer');
    const other = await browser.newPage(t.baseUrl);
    await signIn(other.page, reviewer.email, codeAt(reviewer.totpSecret!, 1));
    await other.page.getByRole('heading', { name: 'Review queue', level: 1 }).waitFor();
    expect(await other.page.getByRole('link', { name: 'Staff accounts' }).count()).toBe(0);
    await other.page.goto('/review/staff');
    await consoleReady(other.page);
    await other.page.getByText('That page is not for your role').waitFor();
    expect(await other.page.getByRole('heading', { name: 'Staff accounts' }).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
