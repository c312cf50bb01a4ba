import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { LatencySummary, summarise } from './stats';

/**
 * Complete OAuth authorization code flows, as a third-party app and a customer's browser make
 * them, with plain `fetch` (no client library in the measured path):
 *
 *  1. `par`          POST the pushed authorization request (client_secret_basic, PKCE S256, RAR) → 201 request_uri
 *  2. `authorize`    GET the authorization endpoint with the request_uri → 303 to `…/consent/<uid>`, interaction cookies
 *  3. `view`         GET `<consent API>/<uid>` as the customer → 200 (what the consent screen shows)
 *  4. `decision`     POST `<consent API>/<uid>/decision` approving one account → 200 `{ redirectTo }`
 *  5. `resume`       GET `redirectTo` with the cookies, following redirects to the app's redirect URI → code, state, iss
 *  6. `token`        POST the token endpoint (client_secret_basic, code_verifier) → 200 access + refresh token
 *
 * A flow counts only when every step answered as expected and the token response carries an
 * access token, a refresh token and the one account the customer picked; anything else is a
 * failure, counted by step and reason. The loops run in a worker thread (`runFlowsInWorker`) so
 * the client's work does not share the event loop of servers started in the bench process.
 */

export const FLOW_STEPS = ['par', 'authorize', 'view', 'decision', 'resume', 'token'] as const;
export type FlowStep = (typeof FLOW_STEPS)[number];

/** Who the consent API is called as, and which of their accounts they pick. */
export interface FlowCustomer {
  /** Bearer token for the consent API (undefined: sent without one). */
  token?: string;
  accountId: string;
}

/** One authorisation server as the flow loops see it. */
export interface FlowTarget {
  label: string;
  parEndpoint: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** The issuer: the `iss` every authorization response must carry (RFC 9207). */
  issuer: string;
  /** Base URL of the consent API: GET `${interactionsUrl}/<uid>`, POST `${interactionsUrl}/<uid>/decision`. */
  interactionsUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The `authorization_details` every flow asks for. */
  authorizationDetails: unknown[];
  /** Loop i decides as customers[i % length]. */
  customers: FlowCustomer[];
}

export interface FlowSettings {
  /** Concurrent flow loops. */
  concurrency: number;
  /** Measured run, in seconds: no flow starts after it (flows in flight finish and count). */
  durationSeconds: number;
}

export interface FlowRunResult {
  label: string;
  /** Flows that ended with a token. */
  flows: number;
  /** Flows that did not, by `step: reason`, most frequent first. */
  failures: { count: number; reasons: [string, number][] };
  /** Decisions the consent API accepted (each one a consent on Gatehouse), failed flows included. */
  decisions: number;
  /** From the first flow's start to the last flow's end. */
  elapsedSeconds: number;
  flowsPerSecond: number;
  /** Milliseconds per step (successful steps only), and `flow` for whole successful flows. */
  latencyMs: Record<FlowStep | 'flow', LatencySummary>;
}

class FlowError extends Error {
  constructor(
    readonly step: FlowStep,
    reason: string,
  ) {
    super(reason);
  }
}

const FORM = 'application/x-www-form-urlencoded';
/** Error bodies are quoted this far in failure reasons (they are the server's, no secrets in them). */
const QUOTE = 160;

async function failure(step: FlowStep, res: Response, expected: string): Promise<FlowError> {
  const body = (await res.text().catch(() => '')).slice(0, QUOTE);
  return new FlowError(step, `${res.status} (expected ${expected}) ${body}`);
}

/** The browser's cookie jar: just enough for the provider's interaction and resume cookies. */
function keepCookies(res: Response, jar: Map<string, string>): void {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';', 1)[0]!;
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

interface Recorder {
  samples: Record<FlowStep | 'flow', number[]>;
  decisions: number;
}

/** One complete flow; throws FlowError naming the step that went wrong. `onLap` hears each step's end. */
async function oneFlow(
  target: FlowTarget,
  customer: FlowCustomer,
  rec: Recorder,
  onLap?: (step: FlowStep) => void,
): Promise<void> {
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(target.clientId)}:${encodeURIComponent(target.clientSecret)}`).toString('base64')}`;
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const times: Partial<Record<FlowStep, number>> = {};
  let t0 = performance.now();
  const lap = (step: FlowStep) => {
    const t = performance.now();
    times[step] = t - t0;
    t0 = t;
    onLap?.(step);
  };

  const par = await fetch(target.parEndpoint, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': FORM },
    body: new URLSearchParams({
      // Required in the request even with client_secret_basic (RFC 9126 §2.1 via RFC 6749 §4.1.1).
      client_id: target.clientId,
      response_type: 'code',
      redirect_uri: target.redirectUri,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state,
      authorization_details: JSON.stringify(target.authorizationDetails),
    }).toString(),
  });
  if (par.status !== 201) throw await failure('par', par, '201');
  const { request_uri: requestUri } = (await par.json()) as {
    request_uri?: string;
  };
  if (!requestUri) throw new FlowError('par', 'no request_uri');
  lap('par');

  const authorizationUrl = new URL(target.authorizationEndpoint);
  authorizationUrl.search = new URLSearchParams({
    client_id: target.clientId,
    request_uri: requestUri,
  }).toString();
  const auth = await fetch(authorizationUrl, { redirect: 'manual' });
  await auth.arrayBuffer();
  const jar = new Map<string, string>();
  keepCookies(auth, jar);
  const uid = /\/consent\/([^/?#]+)$/.exec(auth.headers.get('location') ?? '')?.[1];
  if (auth.status !== 303 || !uid)
    throw new FlowError('authorize', `${auth.status} to ${auth.headers.get('location')}`);
  lap('authorize');

  const asCustomer: Record<string, string> = customer.token ? { authorization: `Bearer ${customer.token}` } : {};
  const view = await fetch(`${target.interactionsUrl}/${uid}`, {
    headers: asCustomer,
  });
  if (view.status !== 200) throw await failure('view', view, '200');
  if (((await view.json()) as { uid?: string }).uid !== uid) throw new FlowError('view', 'another interaction shown');
  lap('view');

  const decided = await fetch(`${target.interactionsUrl}/${uid}/decision`, {
    method: 'POST',
    headers: { ...asCustomer, 'content-type': 'application/json' },
    body: JSON.stringify({
      decision: 'approve',
      accountIds: [customer.accountId],
    }),
  });
  if (decided.status !== 200) throw await failure('decision', decided, '200');
  const { redirectTo } = (await decided.json()) as { redirectTo?: string };
  if (!redirectTo) throw new FlowError('decision', 'no redirectTo');
  rec.decisions++;
  lap('decision');

  let next = redirectTo;
  for (let hops = 0; !next.startsWith(target.redirectUri); hops++) {
    if (hops === 5) throw new FlowError('resume', 'more than 5 redirects');
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: cookieHeader(jar) },
    });
    keepCookies(res, jar);
    const location = res.headers.get('location');
    if (!location) throw await failure('resume', res, 'a redirect');
    await res.arrayBuffer();
    next = new URL(location, next).href;
  }
  const callback = new URL(next).searchParams;
  const code = callback.get('code');
  if (!code)
    throw new FlowError('resume', `no code: ${callback.get('error') ?? ''} ${callback.get('error_description') ?? ''}`);
  if (callback.get('state') !== state) throw new FlowError('resume', 'state does not match');
  if (callback.get('iss') !== target.issuer) throw new FlowError('resume', `iss ${callback.get('iss')}`);
  lap('resume');

  const token = await fetch(target.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': FORM },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: target.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  if (token.status !== 200) throw await failure('token', token, '200');
  const tokens = (await token.json()) as {
    access_token?: string;
    refresh_token?: string;
    token_type?: string;
    authorization_details?: { accountIds?: string[] }[];
  };
  if (!tokens.access_token || !tokens.refresh_token || tokens.token_type?.toLowerCase() !== 'bearer')
    throw new FlowError('token', 'no access token, refresh token or Bearer type');
  const accounts = tokens.authorization_details?.[0]?.accountIds;
  if (accounts?.length !== 1 || accounts[0] !== customer.accountId)
    throw new FlowError('token', `authorization_details name ${JSON.stringify(accounts)}`);
  lap('token');

  let total = 0;
  for (const step of FLOW_STEPS) {
    rec.samples[step].push(times[step]!);
    total += times[step]!;
  }
  rec.samples.flow.push(total);
}

/** `settings.concurrency` loops of complete flows for `settings.durationSeconds`, in this thread. */
export async function runFlows(target: FlowTarget, settings: FlowSettings): Promise<FlowRunResult> {
  const rec: Recorder = {
    samples: {
      par: [],
      authorize: [],
      view: [],
      decision: [],
      resume: [],
      token: [],
      flow: [],
    },
    decisions: 0,
  };
  const reasons = new Map<string, number>();
  let flows = 0;
  let failed = 0;
  const started = performance.now();
  const until = started + settings.durationSeconds * 1000;
  await Promise.all(
    Array.from({ length: settings.concurrency }, async (_, i) => {
      const customer = target.customers[i % target.customers.length]!;
      while (performance.now() < until) {
        try {
          await oneFlow(target, customer, rec);
          flows++;
        } catch (e) {
          failed++;
          const key = e instanceof FlowError ? `${e.step}: ${e.message}` : `network: ${(e as Error).message}`;
          reasons.set(key, (reasons.get(key) ?? 0) + 1);
        }
      }
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  const latencyMs = Object.fromEntries(
    Object.entries(rec.samples).map(([step, samples]) => [step, summarise(samples)]),
  ) as FlowRunResult['latencyMs'];
  return {
    label: target.label,
    flows,
    failures: {
      count: failed,
      reasons: [...reasons].sort((a, b) => b[1] - a[1]),
    },
    decisions: rec.decisions,
    elapsedSeconds,
    flowsPerSecond: flows / elapsedSeconds,
    latencyMs,
  };
}

/**
 * One flow in this thread, calling `onLap` as each step ends (before the next begins): for
 * counting what a server in this process does per step. Throws if the flow fails.
 */
export async function observeOneFlow(target: FlowTarget, onLap: (step: FlowStep) => void): Promise<void> {
  const rec: Recorder = {
    samples: {
      par: [],
      authorize: [],
      view: [],
      decision: [],
      resume: [],
      token: [],
      flow: [],
    },
    decisions: 0,
  };
  await oneFlow(target, target.customers[0]!, rec, onLap);
}

interface WorkerJob {
  oauthFlow: { target: FlowTarget; settings: FlowSettings };
}

/**
 * `runFlows` in a worker thread (this file, loaded through ts-node's transpile-only register), so
 * the servers under test in the bench process keep their event loop to themselves.
 */
export function runFlowsInWorker(target: FlowTarget, settings: FlowSettings): Promise<FlowRunResult> {
  return new Promise((resolve, reject) => {
    const job: WorkerJob = { oauthFlow: { target, settings } };
    const worker = new Worker(
      `require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(__filename)});`,
      { eval: true, workerData: job },
    );
    let result: FlowRunResult | undefined;
    worker.once('message', (m: FlowRunResult) => (result = m));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`${target.label}: flow worker exited ${code} without a result`)),
    );
  });
}

if (!isMainThread && (workerData as Partial<WorkerJob> | undefined)?.oauthFlow) {
  const { target, settings } = (workerData as WorkerJob).oauthFlow;
  void runFlows(target, settings).then((r) => parentPort!.postMessage(r));
}
