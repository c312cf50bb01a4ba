import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import { pngImage } from '../../test/harness/images';
import { nowMs } from './smtp-recorder';

/**
 * The mixed load of bench/faults.ts, over HTTP only, as real clients send it: developers signing
 * up and submitting KYB cases, reviewers claiming and deciding, customers granting consents through
 * the OAuth flow and revoking them, apps reading the data API and the gateway asking the decision
 * point. Every request is recorded (when it started and ended, which API process, the status or 0
 * for a network failure) so the bench can judge each answer against the fault windows.
 */

/** One HTTP exchange as the client saw it. */
export interface Sample {
  /** Epoch ms when the request was sent and when its answer (or failure) arrived. */
  at: number;
  end: number;
  /** The operation, e.g. `POST /v1/auth/signup`. */
  op: string;
  /** HTTP status; 0 when the connection failed or timed out. */
  status: number;
  /** Index of the API process (0-based slot) the request went to. */
  target: number;
}

export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes, read field by field
  headers: Headers;
}

/** The API processes behind a round-robin balancer, with every exchange recorded. */
export class ApiClient {
  readonly samples: Sample[] = [];
  /** Requests under way, per slot. */
  readonly inFlight: number[];
  private turn = 0;

  constructor(readonly urls: string[]) {
    this.inFlight = urls.map(() => 0);
  }

  /** The next slot, round robin. */
  next(): number {
    this.turn = (this.turn + 1) % this.urls.length;
    return this.turn;
  }

  /**
   * One request to slot `target` (default: the next in turn). `op` names it in the record (the
   * path with ids left out). Never throws for HTTP or network failures: status 0 is a failure.
   */
  async send(
    op: string,
    path: string,
    init: { method?: string; token?: string; json?: unknown; form?: FormData; headers?: Record<string, string> } = {},
    target = this.next(),
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | FormData | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) body = init.form;
    const url = path.startsWith('http') ? path : `${this.urls[target]}${path}`;
    const at = nowMs();
    this.inFlight[target]!++;
    try {
      const res = await fetch(url, {
        method: init.method ?? (body ? 'POST' : 'GET'),
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      this.samples.push({ at, end: nowMs(), op, status: res.status, target });
      return { status: res.status, body: parsed, headers: res.headers };
    } catch {
      this.samples.push({ at, end: nowMs(), op, status: 0, target });
      return { status: 0, body: undefined, headers: new Headers() };
    } finally {
      this.inFlight[target]!--;
    }
  }
}

export const PASSWORD = 'a long and uncommon passphrase 42';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
let unique = 0;
const uniqueLabel = () => `${Date.now().toString(36)}${(++unique).toString(36)}${randomBytes(2).toString('hex')}`;

/** Signs in over HTTP, retrying through outages; throws after `attempts`. */
export async function login(api: ApiClient, email: string, totp?: () => string, attempts = 20): Promise<string> {
  for (let i = 0; ; i++) {
    const res = await api.send('POST /v1/auth/login', '/v1/auth/login', {
      json: { email, password: PASSWORD, ...(totp ? { totp: totp() } : {}) },
    });
    if (res.status === 200) return res.body.accessToken as string;
    if (i >= attempts) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    await pause(500);
  }
}

/** The current TOTP code of a base32 secret. */
export function totpCode(secret: string, at = Date.now()): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: at,
  });
}

/** A staff member created beforehand (staff:create), enrolled in TOTP over HTTP; returns their session token. */
export async function enrolStaff(api: ApiClient, email: string): Promise<string> {
  const token = await login(api, email);
  const setup = await api.send('POST /v1/auth/mfa/totp/setup', '/v1/auth/mfa/totp/setup', { method: 'POST', token });
  if (setup.status !== 200) throw new Error(`TOTP setup: ${setup.status} ${JSON.stringify(setup.body)}`);
  const confirm = await api.send('POST /v1/auth/mfa/totp/confirm', '/v1/auth/mfa/totp/confirm', {
    token,
    json: { code: totpCode(setup.body.secret as string) },
  });
  if (confirm.status !== 200) throw new Error(`TOTP confirm: ${confirm.status} ${JSON.stringify(confirm.body)}`);
  return token;
}

const CERTIFICATE = readFileSync(
  join(__dirname, '..', '..', 'test', 'fixtures', 'uploads', 'certificate-of-incorporation.pdf'),
);

/** What the load did, for the invariants. */
export interface LoadLedger {
  signups: number;
  /** Organisations whose submit answered 202. */
  submitted: string[];
  /** Organisations whose submit was sent but got no answer (it may or may not have happened). */
  submitUnknown: string[];
  /** Decisions answered 200, by task id and stage. */
  decided: Array<{ taskId: string; organisationId: string; decision: string; retried: boolean }>;
  /** Decision requests repeated after a failure and refused (409/404): the first one had counted. */
  repeatsRefused: number;
  /** Consents granted through the flow, with their access tokens. */
  granted: Array<{ consentId: string; accessToken: string; accountId: string }>;
  /**
   * Consents whose revocation answered 204 (`at`, epoch ms), and per API process: `deniedAfterMs`,
   * when the first answer denying it arrived (null: none within 30 s), and `allowedAfterMs`, how
   * long after `at` the last request that was still allowed had been sent (null: none was).
   */
  revoked: Array<{
    consentId: string;
    accessToken: string;
    at: number;
    deniedAfterMs: (number | null)[];
    allowedAfterMs: (number | null)[];
  }>;
  flowFailures: Map<string, number>;
}

export const newLedger = (): LoadLedger => ({
  signups: 0,
  submitted: [],
  submitUnknown: [],
  decided: [],
  repeatsRefused: 0,
  granted: [],
  revoked: [],
  flowFailures: new Map(),
});

export interface LoadActors {
  /** Developers' session tokens (verified, no organisation yet). */
  developers: string[];
  /** Reviewers' two-factor session tokens. */
  reviewers: string[];
  customers: Array<{ token: string; sub: string; accountId: string }>;
  app: { clientId: string; clientSecret: string; redirectUri: string };
  gatewayKey: string;
  /** The authorisation server's issuer (PUBLIC_URL/oauth). */
  issuer: string;
  /** Paths of the PAR, authorization and token endpoints (from discovery). */
  oauthPaths: { par: string; auth: string; token: string };
}

/** Loops that run until `running()` turns false. */
export class MixedLoad {
  constructor(
    private readonly api: ApiClient,
    private readonly actors: LoadActors,
    readonly ledger: LoadLedger,
    private readonly running: () => boolean,
  ) {}

  /** Starts every loop; resolves when all have stopped. */
  run(): Promise<void> {
    const loops: Promise<void>[] = [this.signups()];
    this.actors.developers.forEach((token) => loops.push(this.submissions(token)));
    this.actors.reviewers.forEach((token) => loops.push(this.reviews(token)));
    this.actors.customers.forEach((c) => loops.push(this.consents(c)));
    loops.push(this.reads());
    return Promise.all(loops).then(() => undefined);
  }

  private async signups(): Promise<void> {
    while (this.running()) {
      const email = `signup-${uniqueLabel()}@example.com`;
      const res = await this.api.send('POST /v1/auth/signup', '/v1/auth/signup', {
        json: { email, password: PASSWORD, name: 'Load Developer' },
      });
      if (res.status === 201) this.ledger.signups++;
      else await pause(200);
    }
  }

  /** One organisation after another: create, a director, two documents, submit. */
  private async submissions(token: string): Promise<void> {
    while (this.running()) {
      const label = uniqueLabel();
      const org = await this.api.send('POST /v1/organisations', '/v1/organisations', {
        token,
        json: {
          legalName: `Harbour ${label} Ltd`,
          registrationNumber: '12345678',
          country: 'GB',
          registeredAddress: { line1: '2 Quay', city: 'Leeds', postcode: 'LS1 4AP', country: 'GB' },
          regulatoryStatus: { type: 'unregulated' },
        },
      });
      if (org.status !== 201) {
        await pause(300);
        continue;
      }
      const orgId = org.body.id as string;
      const base = `/v1/organisations/${orgId}`;
      const person = await this.api.send('POST /v1/organisations/:id/people', `${base}/people`, {
        token,
        json: {
          firstName: 'James',
          lastName: 'Smith',
          dateOfBirth: '1980-02-03',
          nationality: 'GB',
          roles: ['director'],
        },
      });
      if (person.status !== 201) continue;
      const licence = new FormData();
      licence.set('type', 'driving_licence');
      licence.set('personId', person.body.id as string);
      licence.set('documentNumber', `DL${label}`.slice(0, 16));
      licence.set('issuingCountry', 'GB');
      licence.set('expiresOn', '2034-01-01');
      licence.set('file', new Blob([new Uint8Array(pngImage(90, 60, unique))]), 'licence.png');
      const idDoc = await this.api.send('POST /v1/organisations/:id/documents', `${base}/documents`, {
        token,
        form: licence,
      });
      if (idDoc.status !== 201) continue;
      const certificate = new FormData();
      certificate.set('type', 'certificate_of_incorporation');
      const bytes = Buffer.concat([CERTIFICATE, Buffer.from(`% ${orgId}\n%%EOF\n`)]);
      certificate.set('file', new Blob([new Uint8Array(bytes)]), 'certificate.pdf');
      const cert = await this.api.send('POST /v1/organisations/:id/documents', `${base}/documents`, {
        token,
        form: certificate,
      });
      if (cert.status !== 201) continue;
      const submit = await this.api.send(
        'POST /v1/organisations/:id/verification/submit',
        `${base}/verification/submit`,
        {
          method: 'POST',
          token,
        },
      );
      if (submit.status === 202) this.ledger.submitted.push(orgId);
      else if (submit.status === 0 || submit.status >= 500) this.ledger.submitUnknown.push(orgId);
    }
  }

  /** Claim the next task, decide it (approve or reject); repeat a decision whose answer was lost. */
  private async reviews(token: string): Promise<void> {
    let n = 0;
    while (this.running()) {
      const claim = await this.api.send('POST /v1/review/tasks/claim', '/v1/review/tasks/claim', {
        method: 'POST',
        token,
      });
      if (claim.status !== 200) {
        await pause(300);
        continue;
      }
      const task = claim.body as { id: string; organisationId: string; claimVersion: number };
      const approve = n++ % 4 !== 3;
      const body = {
        decision: approve ? 'approve' : 'reject',
        reasonCodes: [approve ? 'documents_verified' : 'document_unreadable'],
        note: approve ? 'Consistent documents.' : 'The licence is unreadable.',
        claimVersion: task.claimVersion,
      };
      for (let attempt = 0; attempt < 30; attempt++) {
        const res = await this.api.send('POST /v1/review/tasks/:id/decision', `/v1/review/tasks/${task.id}/decision`, {
          token,
          json: body,
        });
        if (res.status === 200) {
          this.ledger.decided.push({
            taskId: task.id,
            organisationId: task.organisationId,
            decision: body.decision,
            retried: attempt > 0,
          });
          break;
        }
        if (res.status !== 0 && res.status < 500) {
          if (attempt > 0) this.ledger.repeatsRefused++;
          break;
        }
        await pause(1000);
      }
    }
  }

  /** A customer: grant through the OAuth flow, read with the token, revoke every other consent. */
  private async consents(customer: LoadActors['customers'][number]): Promise<void> {
    let n = 0;
    while (this.running()) {
      let granted: { consentId: string; accessToken: string };
      try {
        granted = await this.flow(customer);
      } catch (e) {
        const key = (e as Error).message.slice(0, 120);
        this.ledger.flowFailures.set(key, (this.ledger.flowFailures.get(key) ?? 0) + 1);
        await pause(300);
        continue;
      }
      const consent = { ...granted, accountId: customer.accountId };
      this.ledger.granted.push(consent);
      await this.read(consent);
      if (n++ % 2 === 1) continue;
      const revoke = await this.api.send(
        'DELETE /v1/customer/consents/:id',
        `/v1/customer/consents/${consent.consentId}`,
        {
          method: 'DELETE',
          token: customer.token,
        },
      );
      if (revoke.status !== 204) continue;
      const revokedAt = nowMs();
      const seen = await Promise.all(
        this.api.urls.map((_, slot) => this.deniedAt(slot, consent.accessToken, revokedAt)),
      );
      this.ledger.revoked.push({
        ...consent,
        at: revokedAt,
        deniedAfterMs: seen.map((s) => s.deniedAfterMs),
        allowedAfterMs: seen.map((s) => s.allowedAfterMs),
      });
    }
  }

  /**
   * Polls one API process until both the decision point and the data API refuse the token: when
   * the refusal arrived and when the last request still allowed had been sent, in ms after `since`.
   */
  private async deniedAt(
    slot: number,
    accessToken: string,
    since: number,
  ): Promise<{ deniedAfterMs: number | null; allowedAfterMs: number | null }> {
    const deadline = since + 30_000;
    let allowedAfterMs: number | null = null;
    while (nowMs() < deadline) {
      const sentAt = nowMs();
      const [decision, data] = await Promise.all([
        this.api.send(
          'POST /v1/consent-decisions',
          '/v1/consent-decisions',
          { token: this.actors.gatewayKey, json: { accessToken, scope: 'accounts:read' } },
          slot,
        ),
        this.api.send('GET /sandbox/v1/accounts', '/sandbox/v1/accounts', { token: accessToken }, slot),
      ]);
      if (decision.status === 200 && decision.body.allow === false && data.status === 401)
        return { deniedAfterMs: nowMs() - since, allowedAfterMs };
      if (decision.body?.allow === true || data.status === 200) allowedAfterMs = sentAt - since;
      await pause(50);
    }
    return { deniedAfterMs: null, allowedAfterMs };
  }

  /** The data API and the decision point with a live token. */
  private async read(consent: { accessToken: string; accountId: string }): Promise<void> {
    await this.api.send('GET /sandbox/v1/accounts', '/sandbox/v1/accounts', { token: consent.accessToken });
    await this.api.send(
      'GET /sandbox/v1/accounts/:id/transactions',
      `/sandbox/v1/accounts/${consent.accountId}/transactions?limit=50`,
      { token: consent.accessToken },
    );
    await this.api.send('POST /v1/consent-decisions', '/v1/consent-decisions', {
      token: this.actors.gatewayKey,
      json: { accessToken: consent.accessToken, scope: 'transactions:read' },
    });
  }

  /** Reads with consents granted and not revoked. */
  private async reads(): Promise<void> {
    let i = 0;
    while (this.running()) {
      const revoked = new Set(this.ledger.revoked.map((r) => r.consentId));
      const live = this.ledger.granted.filter((g) => !revoked.has(g.consentId));
      if (live.length === 0) {
        await pause(200);
        continue;
      }
      await this.read(live[i++ % live.length]!);
    }
  }

  /**
   * The authorization code flow with PAR, PKCE and an account_access detail, as the app and the
   * customer's browser make it; the consent screen's API answered as the customer, approving one
   * account. Returns the consent id (from the token's authorization_details) and the access token.
   */
  private async flow(customer: LoadActors['customers'][number]): Promise<{ consentId: string; accessToken: string }> {
    const { app } = this.actors;
    const slot = this.api.next();
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`;
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const par = await this.raw(
      'POST /oauth/request',
      this.actors.oauthPaths.par,
      slot,
      form({
        client_id: app.clientId,
        response_type: 'code',
        redirect_uri: app.redirectUri,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        state,
        authorization_details: JSON.stringify([
          { type: 'account_access', scopes: ['accounts:read', 'transactions:read'] },
        ]),
      }),
    );
    if (par.res?.status !== 201) throw new Error(`par: ${par.res?.status ?? 'network'}`);
    const requestUri = (JSON.parse(par.text) as { request_uri: string }).request_uri;
    const query = new URLSearchParams({ client_id: app.clientId, request_uri: requestUri });
    const auth = await this.raw('GET /oauth/auth', `${this.actors.oauthPaths.auth}?${query.toString()}`, slot, {});
    const jar = new Map<string, string>();
    const keep = (res: Response) => {
      for (const line of res.headers.getSetCookie()) {
        const pair = line.split(';', 1)[0]!;
        const i = pair.indexOf('=');
        jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
    };
    if (!auth.res) throw new Error('authorize: network');
    keep(auth.res);
    const uid = /\/consent\/([^/?#]+)$/.exec(auth.res.headers.get('location') ?? '')?.[1];
    if (auth.res.status !== 303 || !uid) throw new Error(`authorize: ${auth.res.status}`);
    const view = await this.api.send('GET /v1/oauth/interactions/:uid', `/v1/oauth/interactions/${uid}`, {
      token: customer.token,
    });
    if (view.status !== 200) throw new Error(`view: ${view.status}`);
    const decided = await this.api.send(
      'POST /v1/oauth/interactions/:uid/decision',
      `/v1/oauth/interactions/${uid}/decision`,
      { token: customer.token, json: { decision: 'approve', accountIds: [customer.accountId] } },
    );
    if (decided.status !== 200) throw new Error(`decision: ${decided.status}`);
    let next = decided.body.redirectTo as string;
    for (let hops = 0; !next.startsWith(app.redirectUri); hops++) {
      if (hops === 5) throw new Error('resume: more than 5 redirects');
      // Every process serves every step: the resume goes to whichever the balancer picks.
      const target = new URL(next);
      const step = await this.raw('GET /oauth/auth/:uid', `${target.pathname}${target.search}`, this.api.next(), {
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      if (!step.res) throw new Error('resume: network');
      keep(step.res);
      const location = step.res.headers.get('location');
      if (!location) throw new Error(`resume: ${step.res.status}`);
      next = new URL(location, next).href;
    }
    const callback = new URL(next).searchParams;
    const code = callback.get('code');
    if (!code) throw new Error(`resume: ${callback.get('error') ?? 'no code'}`);
    if (callback.get('state') !== state || callback.get('iss') !== this.actors.issuer)
      throw new Error('resume: state or iss');
    const token = await this.raw(
      'POST /oauth/token',
      this.actors.oauthPaths.token,
      this.api.next(),
      form({
        grant_type: 'authorization_code',
        code,
        redirect_uri: app.redirectUri,
        code_verifier: verifier,
      }),
    );
    if (token.res?.status !== 200) throw new Error(`token: ${token.res?.status ?? 'network'}`);
    const tokens = JSON.parse(token.text) as { access_token: string; authorization_details?: { consentId?: string }[] };
    const consentId = tokens.authorization_details?.[0]?.consentId;
    if (!consentId) throw new Error('token: no consentId in authorization_details');
    return { consentId, accessToken: tokens.access_token };
  }

  /** A request whose raw response (headers, cookies, redirects) the flow needs; recorded like the others. */
  private async raw(
    op: string,
    path: string,
    slot: number,
    init: RequestInit,
  ): Promise<{ res?: Response; text: string }> {
    const at = nowMs();
    this.api.inFlight[slot]!++;
    try {
      const res = await fetch(`${this.api.urls[slot]}${path}`, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      this.api.samples.push({ at, end: nowMs(), op, status: res.status, target: slot });
      return { res, text };
    } catch {
      this.api.samples.push({ at, end: nowMs(), op, status: 0, target: slot });
      return { text: '' };
    } finally {
      this.api.inFlight[slot]!--;
    }
  }
}
