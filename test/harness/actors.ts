import * as OTPAuth from 'otpauth';
import { StaffService } from '../../src/accounts/staff.service';
import { StaffRole } from '../../src/auth/roles';
import { TestApp } from './test-app';

export const PASSWORD = 'a long and uncommon passphrase 42';

let n = 0;
export const uniqueEmail = (label: string) => `${label}-${Date.now().toString(36)}-${++n}@example.com`;

export interface Actor {
  email: string;
  token: string;
  id: string;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export async function login(t: TestApp, email: string, password = PASSWORD, totp?: string): Promise<string> {
  const res = await t
    .http()
    .post('/v1/auth/login')
    .send({ email, password, ...(totp ? { totp } : {}) });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

const tokenFromLink = (text: string, path: string) => new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(text)?.[1];

/** A developer through the real sign-up, email and (optionally) verification. */
export async function developer(t: TestApp, label: string, verified = true): Promise<Actor> {
  const email = uniqueEmail(label);
  const signup = await t
    .http()
    .post('/v1/auth/signup')
    .send({ email, password: PASSWORD, name: `${label} Dev` });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${JSON.stringify(signup.body)}`);
  if (verified) {
    const mail = await t.smtp.waitFor((m) => m.to.includes(email) && m.subject === 'Confirm your email address');
    const token = tokenFromLink(mail.text, '/verify-email')!;
    await t.http().post('/v1/auth/verify-email').send({ token }).expect(204);
  }
  return { email, id: signup.body.id, token: await login(t, email) };
}

/** The TOTP code `steps` 30-second steps from now (or from `at`, epoch ms). */
export function codeAt(secret: string, steps = 0, at = Date.now()): string {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  });
  return totp.generate({ timestamp: at + steps * 30_000 });
}

export const currentCode = (secret: string): string => codeAt(secret);

/**
 * A code the server has not accepted yet right after `staff()` enrolled with the current one: the
 * next step's, inside the ±1 step of drift allowed (a code is accepted once, RFC 6238 §5.2).
 */
export const nextCode = (secret: string): string => codeAt(secret, 1);

/** A staff member with TOTP enrolled, signed in with the second factor. */
export async function staff(t: TestApp, role: StaffRole, withMfa = true): Promise<Actor & { totpSecret?: string }> {
  const email = uniqueEmail(role);
  const created = await t.app
    .get(StaffService)
    .create({ email, name: `${role} Staff`, role, password: PASSWORD }, { type: 'system', id: 'test' });
  const first = await login(t, email);
  if (!withMfa) return { email, id: created.id, token: first };
  const setup = await t.http().post('/v1/auth/mfa/totp/setup').set(bearer(first)).expect(200);
  await t
    .http()
    .post('/v1/auth/mfa/totp/confirm')
    .set(bearer(first))
    .send({ code: currentCode(setup.body.secret) })
    .expect(200);
  return { email, id: created.id, token: first, totpSecret: setup.body.secret };
}

/** Staff shorthands: each a new staff member with TOTP enrolled and a two-factor session. */
export const reviewer = (t: TestApp) => staff(t, 'reviewer');
export const seniorReviewer = (t: TestApp) => staff(t, 'senior_reviewer');
export const admin = (t: TestApp) => staff(t, 'admin');

/** The organisation `owner()` creates unless told otherwise (a company the register check knows). */
export const ORGANISATION = {
  legalName: 'Acme Payments Ltd',
  registrationNumber: '12345678',
  country: 'GB',
  registeredAddress: { line1: '1 King St', city: 'London', postcode: 'EC2V 8AU', country: 'GB' },
  regulatoryStatus: { type: 'unregulated' } as Record<string, unknown>,
};

/** Another registered address, for organisations that must not look like Acme. */
export const LEEDS = { line1: '2 Quay', city: 'Leeds', postcode: 'LS1 4AP', country: 'GB' };

/** Creates an organisation owned by `dev` (POST /v1/organisations, 201); `fields` replace ORGANISATION's. */
export async function createOrganisation(
  t: TestApp,
  dev: Actor,
  fields: Partial<typeof ORGANISATION> = {},
): Promise<string> {
  const res = await t
    .http()
    .post('/v1/organisations')
    .set(bearer(dev.token))
    .send({ ...ORGANISATION, ...fields });
  if (res.status !== 201) throw new Error(`create organisation: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A verified developer who owns a new organisation (`orgId`). */
export async function owner(
  t: TestApp,
  label: string,
  fields: Partial<typeof ORGANISATION> = {},
): Promise<Actor & { orgId: string }> {
  const dev = await developer(t, label);
  return { ...dev, orgId: await createOrganisation(t, dev, fields) };
}

export { tokenFromLink };
