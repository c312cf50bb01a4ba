import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PASSWORD, bearer, developer, owner, reviewer, uniqueEmail } from './harness/actors';
import { TestBrowser, consoleReady, expectAccessible, launchBrowser, saveScreenshot } from './harness/browser';

/** A full-page screenshot from the top, so the fixed header sits where a reader sees it. */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await saveScreenshot(page, name);
}
import { claim, reviewTaskQueued } from './harness/cases';
import { pngImage } from './harness/images';
import { TestApp, startTestApp } from './harness/test-app';
import { ClientAuthService } from '../src/apps/credentials/client-auth.service';
import { eventually } from './harness/wait';

const certificatePdf = readFileSync(join(__dirname, 'fixtures', 'uploads', 'certificate-of-incorporation.pdf'));

/** The path and query of the first link to `path` in an email's text (the email's origin is PUBLIC_URL's). */
function linkIn(text: string, path: string): string {
  const match = new RegExp(`https?://[^\\s]+(${path.replace(/\//g, '\\/')}\\?token=[A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no ${path} link in: ${text}`);
  return match[1]!;
}

/**
 * Records every value the upload progress bar shows, from before the upload starts: a local upload
 * is over in milliseconds, too fast to sample by polling, so the page itself notes each change.
 */
async function watchProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as {
      progressSeen: number[];
      document: {
        body: unknown;
        querySelector(s: string): { getAttribute(a: string): string | null } | null;
      };
      MutationObserver: new (cb: () => void) => {
        observe(n: unknown, o: unknown): void;
      };
    };
    g.progressSeen = [];
    const note = () => {
      const bar = g.document.querySelector('[role="progressbar"][aria-label="Upload progress"]');
      const now = bar?.getAttribute('aria-valuenow');
      if (now != null && g.progressSeen[g.progressSeen.length - 1] !== Number(now)) g.progressSeen.push(Number(now));
    };
    new g.MutationObserver(note).observe(g.document.body, {
      subtree: true,
      childList: true,
      attributes: true,
    });
  });
}

const progressSeen = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { progressSeen: number[] }).progressSeen);

/** Picks `option` in the Mantine select labelled `label`. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByLabel(label).and(page.locator('input')).click();
  await page.getByRole('option', { name: option }).click();
}

/**
 * A developer's journey in Chromium against the real server, SMTP catcher, PostgreSQL and Redis:
 * sign up, confirm the address from the email, sign in, create the organisation, add a director,
 * upload documents (watching the progress bar), submit and see the checks' results; then, once a
 * reviewer has approved the organisation through the API, register an app, see its secret once,
 * and ask for production access with the security attestation.
 */
describe('console: the developer journey (Chromium)', () => {
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

  it('goes from sign-up to a submitted organisation, then to an app asking for production access', async () => {
    const { page, problems } = await browser.newPage(t.baseUrl);
    const email = uniqueEmail('journey');

    // Sign up.
    await page.goto('/signup');
    await consoleReady(page);
    await page.getByLabel('Your name').fill('Ada Developer');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email', level: 1 }).waitFor();
    await expectAccessible(page, 'sign-up done');

    // The verification link, from the email the SMTP catcher caught.
    const mail = await t.smtp.waitFor((m) => m.to.includes(email) && m.subject === 'Confirm your email address');
    await page.goto(linkIn(mail.text, '/verify-email'));
    await page.getByText('Your address is confirmed.').waitFor();
    await expectAccessible(page, 'verify email');
    await page.getByRole('link', { name: 'Sign in' }).last().click();

    // Sign in: back to the organisations, which are empty and say what to do.
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your organisations', level: 1 }).waitFor();
    await page.getByText('You do not belong to an organisation yet.').waitFor();
    await expectAccessible(page, 'organisations (empty)');

    // Create the organisation.
    await page.getByRole('link', { name: 'Create an organisation' }).click();
    await page.getByRole('heading', { name: 'Create an organisation', level: 1 }).waitFor();
    await page.getByLabel('Legal name').fill('Budgetly Ltd');
    await page.getByLabel('Company registration number').fill('12345678');
    await page.getByLabel('Address line 1').fill('2 Quay');
    await page.getByLabel('Town or city').fill('Leeds');
    await page.getByLabel('Postcode').fill('LS1 4AP');
    await expectAccessible(page, 'create organisation');
    await page.getByRole('button', { name: 'Create organisation' }).click();

    // The onboarding wizard says what is due.
    await page.getByRole('heading', { name: 'Budgetly Ltd', level: 1 }).waitFor();
    const orgId = /\/organisations\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
    const todo = page.getByRole('list', { name: 'Still to do' });
    await todo.getByText('Add at least one director.').waitFor();
    await todo.getByText('Upload the certificate of incorporation.').waitFor();
    await expect(page.getByTestId('verification-status').textContent()).resolves.toBe('Not yet submitted');
    expect(await page.getByRole('button', { name: 'Submit for verification' }).isDisabled()).toBe(true);
    await expectAccessible(page, 'onboarding (empty)');
    await shot(page, 'developer-onboarding-start');

    // People.
    await page.getByLabel('First name').fill('James');
    await page.getByLabel('Last name').fill('Smith');
    await page.getByLabel('Date of birth').fill('1980-02-03');
    await page.getByLabel('Nationality').fill('GB');
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.getByText('James Smith was added.').waitFor();
    await todo
      .getByText('Upload an identity document (passport, driving licence or ID card) for James Smith.')
      .waitFor();
    expect(await todo.getByText('Add at least one director.').count()).toBe(0);

    // Documents, with the progress bar seen to reach 100%.
    await watchProgress(page);
    await page.getByLabel('File').setInputFiles({
      name: 'certificate.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([certificatePdf, Buffer.from(`% ${orgId}\n%%EOF\n`)]),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText(/Certificate of incorporation uploaded/).waitFor();
    expect(await progressSeen(page)).toContain(100);
    await eventually(async () => (await todo.getByText('Upload the certificate of incorporation.').count()) === 0);

    await choose(page, 'Document type', 'Driving licence');
    await choose(page, 'Whose document', 'James Smith');
    await page.getByLabel('Document number').fill(`SMITH${Date.now().toString(36).toUpperCase()}`.slice(0, 16));
    await page.getByLabel('Issuing country').fill('GB');
    await page.getByLabel('Expiry date').fill('2034-01-01');
    await watchProgress(page);
    await page.getByLabel('File').setInputFiles({
      name: 'licence.png',
      mimeType: 'image/png',
      buffer: pngImage(90, 60, 7),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText(/Driving licence uploaded/).waitFor();
    expect(await progressSeen(page)).toContain(100);
    await page.getByText('Everything needed is here. Submit when you are ready.').waitFor();

    // Submit: "submitted", then the checks' results appear on each document by themselves (polling).
    await page.getByRole('button', { name: 'Submit for verification' }).click();
    await page
      .getByTestId('verification-status')
      .getByText(/^Submitted/)
      .waitFor();
    const licence = page.getByRole('region', { name: 'Driving licence' });
    await licence
      .getByRole('list', { name: 'Check results' })
      .getByText(/^Expiry date/)
      .waitFor({ timeout: 30_000 });
    await licence.getByText('File integrity').waitFor();
    expect(await licence.getByText('Passed').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'onboarding (submitted)');
    await shot(page, 'developer-onboarding');

    // A reviewer approves through the API; the page shows it without a reload.
    const staff = await reviewer(t);
    await reviewTaskQueued(t, orgId);
    const task = await claim(t, staff, orgId);
    const decision = {
      decision: 'approve',
      reasonCodes: ['documents_verified'],
      note: 'Consistent.',
    };
    await t.http().post(`/v1/review/tasks/${task.id}/decision`).set(bearer(staff.token)).send(decision).expect(200);
    await page.getByTestId('verification-status').getByText('Approved').waitFor();

    // Register an app: the secret is shown once, with a copy button.
    await page.getByRole('link', { name: 'Apps' }).click();
    await page.getByRole('heading', { name: 'Apps of Budgetly Ltd', level: 1 }).waitFor();
    await page.getByText('No apps yet. Register your first below.').waitFor();
    await page.getByLabel(/^Name/).fill('Budgetly');
    await page.getByLabel('Description').fill('Budgets across all your banks.');
    await page.getByLabel('Redirect URIs').fill('https://app.budgetly.co.uk/callback');
    await page.getByRole('checkbox', { name: /^Accounts/ }).check();
    await expectAccessible(page, 'apps');
    await page.getByRole('button', { name: 'Register app' }).click();
    await page.getByText('You will not see this again.').waitFor();
    const secret = (await page.getByTestId('secret-value').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Copy client secret' }).waitFor();
    await expectAccessible(page, 'apps (secret shown)');
    await shot(page, 'developer-app-created');
    const [app] = (
      await t
        .http()
        .get(`/v1/organisations/${orgId}/apps`)
        .set('Cookie', await cookieHeader(page))
    ).body.data as { id: string; sandboxClientId: string }[];
    await expectSecretWorks(t, app!.sandboxClientId, secret);

    // The app's page never shows the secret again.
    await page.getByRole('link', { name: 'Open Budgetly' }).click();
    await page.getByRole('heading', { name: 'Budgetly', level: 1 }).waitFor();
    await page.getByText('Sandbox only: production access not requested yet.').waitFor();
    expect(await page.content()).not.toContain(secret);

    // Production access, with the attestation explained.
    await page
      .getByLabel(/Why your app needs Accounts/)
      .fill('We show the customer their accounts so they can pick which to budget.');
    await page.getByLabel('Privacy policy URL').fill('https://budgetly.co.uk/privacy');
    const attestation = (await t.http().get('/v1/security-attestation').expect(200)).body.data as {
      title: string;
      explanation: string;
    }[];
    for (const item of attestation) {
      await page.getByText(item.explanation).waitFor();
      await page.getByRole('checkbox', { name: item.title }).check();
    }
    await expectAccessible(page, 'app (production form)');
    await page.getByRole('button', { name: 'Ask for production access' }).click();
    await page
      .getByTestId('production-status')
      .getByText('Production access requested: waiting for a reviewer.')
      .waitFor();
    const requests = await t
      .http()
      .get(`/v1/organisations/${orgId}/apps/${app!.id}/production-access`)
      .set('Cookie', await cookieHeader(page));
    expect(requests.body.data[0].securityAttestation).toEqual(
      Object.fromEntries(attestation.map((i) => [(i as unknown as { item: string }).item, true])),
    );
    await expectAccessible(page, 'app');
    await shot(page, 'developer-app');
    expect(problems).toEqual([]);
  });
});

/** The browser's cookies for Gatehouse, as a Cookie header (reads made with the developer's own session). */
async function cookieHeader(page: Page): Promise<string> {
  return (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** The secret the page showed is the app's sandbox secret: Gatehouse's client authentication accepts it. */
async function expectSecretWorks(t: TestApp, clientId: string, secret: string): Promise<void> {
  const client = await t.app.get(ClientAuthService).authenticate(clientId, secret);
  expect(client?.clientId).toBe(clientId);
}

/**
 * The account pages the emails link to: a forgotten password reset from its emailed link, then an
 * invitation accepted after signing in with the new password.
 */
describe('console: password reset and invitations (Chromium)', () => {
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

  it('resets a password from the emailed link, then accepts an invitation after signing in', async () => {
    const inviter = await owner(t, 'inviter');
    const invitee = await developer(t, 'invitee');
    await t
      .http()
      .post(`/v1/organisations/${inviter.orgId}/invitations`)
      .set(bearer(inviter.token))
      .send({ email: invitee.email, role: 'admin' })
      .expect(201);
    const invitation = await t.smtp.waitFor((m) => m.to.includes(invitee.email) && /invited you/.test(m.subject));
    const { page, problems } = await browser.newPage(t.baseUrl);

    // Forgotten password: the request page, the email, the new password.
    await page.goto('/signin');
    await consoleReady(page);
    await page.getByRole('link', { name: 'Reset it' }).click();
    await page.getByRole('heading', { name: 'Reset your password', level: 1 }).waitFor();
    await expectAccessible(page, 'reset password (request)');
    await page.getByLabel('Email').fill(invitee.email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByText(`If an account uses ${invitee.email}, a link is on its way.`).waitFor();
    const reset = await t.smtp.waitFor(
      (m) => m.to.includes(invitee.email) && m.subject === 'Reset your Gatehouse password',
    );
    await page.goto(linkIn(reset.text, '/reset-password'));
    await page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
    await page.getByLabel(/^New password/).fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByText(/at least 15 characters/i)
      .first()
      .waitFor();
    await expectAccessible(page, 'reset password (choose, refused)');
    const newPassword = 'another long and uncommon passphrase 7';
    await page.getByLabel(/^New password/).fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();
    await t.http().post('/v1/auth/login').send({ email: invitee.email, password: PASSWORD }).expect(401);

    // The invitation link asks to sign in first, then comes back; accepting is a click.
    await page.goto(linkIn(invitation.text, '/invitations/accept'));
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByLabel('Email').fill(invitee.email);
    await page.getByLabel(/^Password/).fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Join an organisation', level: 1 }).waitFor();
    await expectAccessible(page, 'accept invitation');
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await page.getByText(/You joined .* as admin\./).waitFor();
    const members = await t
      .http()
      .get(`/v1/organisations/${inviter.orgId}/members`)
      .set(bearer(inviter.token))
      .expect(200);
    expect((members.body.data as { email: string }[]).map((m) => m.email)).toContain(invitee.email);
    expect(problems).toEqual([]);
  });
});

/** The development mailbox, where Gatehouse writes the emails it cannot send (no SMTP server). */
describe('console: development mailbox (Chromium)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  beforeAll(async () => {
    t = await startTestApp({ smtp: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists the emails and shows one as text with live links, its HTML only in a sandboxed frame', async () => {
    const email = uniqueEmail('mailbox');
    await t.http().post('/v1/auth/signup').send({ email, password: PASSWORD, name: 'Mo Mailbox' }).expect(201);
    const { page, problems } = await browser.newPage(t.baseUrl);
    await page.goto('/mailbox');
    await consoleReady(page);
    await page.getByRole('heading', { name: 'Development mailbox', level: 1 }).waitFor();
    // The page polls: the email appears once the outbox has written it.
    const row = page.getByRole('row', { name: new RegExp(email) });
    await row.waitFor();
    await expectAccessible(page, 'mailbox');
    await shot(page, 'developer-mailbox');
    await row.getByRole('link', { name: 'Confirm your email address' }).click();
    await page.getByRole('heading', { name: 'Confirm your email address', level: 1 }).waitFor();
    const link = page.getByRole('link', { name: /\/verify-email\?token=/ });
    expect(await link.getAttribute('href')).toMatch(/^https?:\/\/[^/]+\/verify-email\?token=[A-Za-z0-9_-]+$/);
    await expectAccessible(page, 'mailbox message');
    expect(problems).toEqual([]);

    await page.getByText('HTML', { exact: true }).click();
    const frame = page.locator('iframe[title="The email as HTML"]');
    await frame.waitFor();
    const sandbox = (await frame.getAttribute('sandbox'))!.split(' ');
    expect(sandbox).not.toContain('allow-scripts');
    expect(sandbox).not.toContain('allow-same-origin');
    await page.frameLocator('iframe[title="The email as HTML"]').getByText('Confirm email address').first().waitFor();
  });
});
