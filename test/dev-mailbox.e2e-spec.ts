import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, tokenFromLink, uniqueEmail } from './harness/actors';
import { productionEnv } from './harness/production-env';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

interface Listed {
  id: string;
  to: string[];
  subject: string;
  date: string;
}

describe('development mailbox (/dev/mailbox)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No SMTP catcher: mail goes to .eml files under the app's var/mail, as on a first `npm start`.
    t = await startTestApp({ smtp: false });
  });
  afterAll(() => t.close());

  const all = async (): Promise<Listed[]> => (await t.http().get('/dev/mailbox?limit=200').expect(200)).body.data;
  const signUp = async (label: string) => {
    const email = uniqueEmail(label);
    await t
      .http()
      .post('/v1/auth/signup')
      .send({ email, password: PASSWORD, name: `${label} Dev` })
      .expect(201);
    return email;
  };
  const mailTo = (email: string) =>
    eventually(async () => (await all()).find((m) => m.to.includes(email)), 15_000, `an email to ${email}`);

  it('lists the emails Gatehouse wrote and shows one, so a fresh sign-up is verified from it', async () => {
    const email = await signUp('mailbox');
    const listed = await mailTo(email);
    expect(listed).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9.@_-]+$/),
      to: [email],
      subject: 'Confirm your email address',
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(Math.abs(Date.parse(listed.date) - Date.now())).toBeLessThan(60_000);

    const shown = await t
      .http()
      .get(`/dev/mailbox/${encodeURIComponent(listed.id)}`)
      .expect(200);
    expect(shown.body).toMatchObject({ ...listed, text: expect.stringContaining('/verify-email?token=') });
    expect(shown.body.html).toContain('/verify-email?token=');
    await t
      .http()
      .post('/v1/auth/verify-email')
      .send({ token: tokenFromLink(shown.body.text, '/verify-email') })
      .expect(204);
  });

  it('pages newest first with a cursor, and refuses a cursor it did not issue', async () => {
    const first = await signUp('page-a');
    await mailTo(first);
    const second = await signUp('page-b');
    await mailTo(second);
    const everything = await all();
    expect(everything.findIndex((m) => m.to.includes(second))).toBeLessThan(
      everything.findIndex((m) => m.to.includes(first)),
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: Listed[]; nextCursor: string | null } } = await t
        .http()
        .get('/dev/mailbox')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(res.body.data.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.data.map((m) => m.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(everything.map((m) => m.id));

    const bad = await t.http().get('/dev/mailbox').query({ cursor: 'bm90LWEtY3Vyc29y' }).expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    await t.http().get('/dev/mailbox').query({ limit: 0 }).expect(400);
  });

  it('answers 404 for an unknown id, and never reads outside the mailbox', async () => {
    const outside = join(t.config.varDir, 'secret.eml');
    mkdirSync(t.config.varDir, { recursive: true });
    writeFileSync(outside, 'Subject: not for you\r\n\r\nhidden\r\n');
    for (const id of ['nope@gatehouse.local', '..%2Fsecret', '..', '.%2E%2Fsecret', '%2E%2E']) {
      const res = await t.http().get(`/dev/mailbox/${id}`);
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('answers 404 when SMTP is configured, and does not exist in production', async () => {
    const listed = await all();
    expect(listed.length).toBeGreaterThan(0);
    // The same var/mail with its emails, but this instance sends by SMTP: it shows none of them.
    const withSmtp = await startTestApp({
      sharing: t,
      env: { GATEHOUSE_ROLE: 'api', SMTP_URL: 'smtp://127.0.0.1:2525' },
    });
    try {
      for (const path of ['/dev/mailbox', `/dev/mailbox/${encodeURIComponent(listed[0]!.id)}`]) {
        const res = await withSmtp.http().get(path).expect(404);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
    } finally {
      await withSmtp.close();
    }
    const prod = await startTestApp({ sharing: t, env: { ...productionEnv(), SMTP_URL: '' } });
    try {
      await prod.http().get('/dev/mailbox').expect(404);
      await prod
        .http()
        .get(`/dev/mailbox/${encodeURIComponent(listed[0]!.id)}`)
        .expect(404);
    } finally {
      await prod.close();
    }
  });
});
