import 'reflect-metadata';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo, createServer as createNetServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Provider } from 'oidc-provider';
import { Client as PgClient } from 'pg';
import type { AppConfig } from '../src/config/config';
import { ACCOUNT_ACCESS_TYPE, AccountAccessGrant } from '../src/oauth/authorization-details';
import { oauthConfiguration } from '../src/oauth/oauth-configuration';
import { loadOAuthSigningKey } from '../src/oauth/oauth-signing-key';
import { nonNegativeInteger, positiveInteger } from './lib/env';
import { ListeningGatehouse, initGatehouse, signedInDeveloper } from './lib/gatehouse';
import {
  FLOW_STEPS,
  FlowCustomer,
  FlowRunResult,
  FlowStep,
  FlowTarget,
  observeOneFlow,
  runFlowsInWorker,
} from './lib/oauth-flow';
import { runBench } from './lib/runner';
import { table } from './lib/stats';
import { cleanups, withClient } from './lib/throwaway';

/**
 * OAuth benchmark (issue #16): complete authorization code flows per second and the token
 * endpoint's latency, Gatehouse against a bare oidc-provider in the same run.
 *
 * A flow (bench/lib/oauth-flow.ts): PAR with client_secret_basic, PKCE S256 and an
 * `account_access` authorization detail → GET the authorization endpoint (303 to the consent
 * screen, interaction cookies kept) → GET the consent API's view of the request → POST its
 * approval of one account → follow `redirectTo` back through the provider to the redirect URI
 * (code, state, iss) → token request with the code verifier. Each counts only if it ends with an
 * access and a refresh token naming the account picked.
 *
 *  - Gatehouse: the real app (role `api`) on a throwaway database, PUBLIC_URL its own address; a
 *    sandbox app with a client secret; sandbox customers signed in with `POST /dev/customer-token`
 *    (one per flow loop); the consent API `/v1/oauth/interactions/:uid` as the customer.
 *  - bare: oidc-provider of the same version with its memory adapter and Gatehouse's own
 *    `oauthConfiguration` (the same FAPI 2.0 settings: PAR required, PKCE S256, RAR account_access,
 *    resource indicator, opaque tokens, refresh tokens, ES256), one static client with a plain
 *    secret, and a minimal consent API at the same paths: no customer authentication; the view
 *    is `Interaction.find`; the approval saves a Grant carrying the detail and the interaction's
 *    result, in memory.
 *
 * The two are measured alternately (bare, Gatehouse, bare, Gatehouse), each after a warm-up, with
 * the flow loops in a worker thread; both servers run in this process.
 *
 *   npx ts-node --transpile-only bench/oauth.ts
 *
 * Environment (all optional):
 *   BENCH_DURATION           measured seconds per round (default 10)
 *   BENCH_FLOW_CONCURRENCY   concurrent flow loops (default 4)
 *   BENCH_WARMUP             warm-up seconds before each round, discarded (default 2; 0 skips)
 *   BENCH_ROUNDS             alternating rounds (default 2)
 *   BENCH_SHOW_SQL=1         print the SQL of the counted flow, step by step, to stderr
 *   TEST_POSTGRES_URL, TEST_REDIS_URL   servers to use (default 127.0.0.1:5432 and :6379)
 */

const REDIRECT_URI = 'https://app.budgetly.co.uk/callback';
const SCOPES = ['accounts:read', 'transactions:read'];
const AUTHORIZATION_DETAILS = [{ type: ACCOUNT_ACCESS_TYPE, scopes: SCOPES }];
// Every flow loop's customer calls the consent API twice a flow; the per-customer limit must not bite.
const RATE_LIMIT_PER_MINUTE = '1000000';

interface Settings {
  durationSeconds: number;
  warmupSeconds: number;
  concurrency: number;
  rounds: number;
}

// ---------------------------------------------------------------------------------------------
// Gatehouse

/** A free TCP port on 127.0.0.1, so PUBLIC_URL (the issuer) can name the address Gatehouse listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startGatehouseAtPublicUrl(customers: number): Promise<ListeningGatehouse> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const gatehouse = await initGatehouse({
    role: 'api',
    label: 'oauth',
    env: {
      PUBLIC_URL: baseUrl,
      RATE_LIMIT_PER_MINUTE,
      SANDBOX_SEED: 'bench-oauth',
      SANDBOX_CUSTOMERS: String(customers),
    },
  });
  await gatehouse.app.listen(port, '127.0.0.1');
  return { ...gatehouse, baseUrl, close: () => gatehouse.app.close() };
}

async function expectJson<T>(res: Response, status: number, what: string): Promise<T> {
  const body = (await res.json().catch(() => undefined)) as T;
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** A developer's organisation with a sandbox app (client id and secret), through the API. */
async function sandboxApp(gatehouse: ListeningGatehouse): Promise<{ clientId: string; clientSecret: string }> {
  const dev = await signedInDeveloper(gatehouse, 'oauth-bench');
  const auth = {
    authorization: `Bearer ${dev.token}`,
    'content-type': 'application/json',
  };
  const org = await expectJson<{ id: string }>(
    await fetch(`${gatehouse.baseUrl}/v1/organisations`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        legalName: 'Budgetly Ltd',
        registrationNumber: '12345678',
        country: 'GB',
        registeredAddress: {
          line1: '1 King St',
          city: 'London',
          postcode: 'EC2V 8AU',
          country: 'GB',
        },
        regulatoryStatus: { type: 'unregulated' },
      }),
    }),
    201,
    'create organisation',
  );
  return expectJson<{ clientId: string; clientSecret: string }>(
    await fetch(`${gatehouse.baseUrl}/v1/organisations/${org.id}/apps`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        name: 'Budgetly',
        description: 'Budgets across all your banks.',
        redirectUris: [REDIRECT_URI],
        scopes: SCOPES,
      }),
    }),
    201,
    'create app',
  );
}

/** The first `n` sandbox customers, each signed in (customer JWT) with their first account. */
async function sandboxCustomers(gatehouse: ListeningGatehouse, n: number): Promise<FlowCustomer[]> {
  const { data } = await expectJson<{ data: { id: string }[] }>(
    await fetch(`${gatehouse.baseUrl}/dev/customers`),
    200,
    'GET /dev/customers',
  );
  if (data.length < n) throw new Error(`${data.length} sandbox customers, ${n} wanted`);
  const customers: FlowCustomer[] = [];
  for (const sandbox of data.slice(0, n)) {
    const { accessToken } = await expectJson<{ accessToken: string }>(
      await fetch(`${gatehouse.baseUrl}/dev/customer-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: sandbox.id }),
      }),
      200,
      'POST /dev/customer-token',
    );
    // The customer's row in Gatehouse is made on first sight; not a cost of the flows measured.
    await expectJson(
      await fetch(`${gatehouse.baseUrl}/v1/customer/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      }),
      200,
      'GET /v1/customer/me',
    );
    const accounts = await withClient(gatehouse.database.url, (c) =>
      c.query<{ id: string }>(`SELECT id::text FROM sandbox_accounts WHERE customer_id = $1 ORDER BY id LIMIT 1`, [
        sandbox.id,
      ]),
    );
    customers.push({ token: accessToken, accountId: accounts.rows[0]!.id });
  }
  return customers;
}

async function gatehouseTarget(gatehouse: ListeningGatehouse, concurrency: number): Promise<FlowTarget> {
  const discovery = await expectJson<Record<string, string>>(
    await fetch(`${gatehouse.baseUrl}/oauth/.well-known/openid-configuration`),
    200,
    'Gatehouse discovery',
  );
  const client = await sandboxApp(gatehouse);
  return {
    label: 'gatehouse',
    parEndpoint: discovery.pushed_authorization_request_endpoint!,
    authorizationEndpoint: discovery.authorization_endpoint!,
    tokenEndpoint: discovery.token_endpoint!,
    issuer: discovery.issuer!,
    interactionsUrl: `${gatehouse.baseUrl}/v1/oauth/interactions`,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUri: REDIRECT_URI,
    authorizationDetails: AUTHORIZATION_DETAILS,
    customers: await sandboxCustomers(gatehouse, concurrency),
  };
}

// ---------------------------------------------------------------------------------------------
// The bare oidc-provider

const BARE_CLIENT = { clientId: 'bare-client', clientSecret: randomUUID() };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

/**
 * The bare consent API, at Gatehouse's paths: the view finds the interaction; the approval saves
 * a Grant named by a new id, carrying the detail granted, and the interaction's result, as
 * Gatehouse's InteractionsService does, minus the customer, the consent, its receipt, the audit
 * entry and the change feed.
 */
async function bareInteraction(
  provider: Provider,
  granted: Map<string, AccountAccessGrant>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const match = /^\/v1\/oauth\/interactions\/([^/]+)(\/decision)?$/.exec(req.url ?? '');
  const interaction = match ? await provider.Interaction.find(match[1]!) : undefined;
  if (!match || !interaction || interaction.result) return sendJson(res, 404, { error: 'not_found' });
  if (!match[2]) {
    return sendJson(res, 200, {
      uid: interaction.uid,
      authorizationDetails: JSON.parse(interaction.params.authorization_details as string) as unknown,
    });
  }
  const { accountIds } = JSON.parse(await readBody(req)) as {
    accountIds: string[];
  };
  const nowS = Math.floor(Date.now() / 1000);
  const consentId = randomUUID();
  const expiresIn = 90 * 24 * 3600;
  const detail: AccountAccessGrant = {
    type: ACCOUNT_ACCESS_TYPE,
    consentId,
    accountIds,
    scopes: SCOPES,
    expiresAt: new Date((nowS + expiresIn) * 1000).toISOString(),
  };
  const customerId = `bare-customer-${accountIds[0]}`;
  const grant = new provider.Grant({
    jti: consentId,
    accountId: customerId,
    clientId: interaction.params.client_id as string,
    expiresIn,
  } as ConstructorParameters<typeof provider.Grant>[0] & {
    jti: string;
    expiresIn: number;
  });
  (grant as unknown as { rar: AccountAccessGrant[] }).rar = [detail];
  await grant.save();
  granted.set(consentId, detail);
  interaction.result = {
    login: { accountId: customerId },
    consent: { grantId: consentId },
  };
  await interaction.save(Math.max(1, interaction.exp - nowS));
  sendJson(res, 200, { redirectTo: interaction.returnTo });
}

/** oidc-provider with its memory adapter and Gatehouse's configuration, mounted at /oauth of a plain http server. */
async function startBareProvider(concurrency: number): Promise<FlowTarget> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.unshift({
    what: 'close bare oidc-provider',
    run: () => new Promise((resolve) => server.close(resolve)),
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pem = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  const granted = new Map<string, AccountAccessGrant>();
  const configuration = oauthConfiguration({
    publicUrl: baseUrl,
    signingKey: loadOAuthSigningKey({ env: 'test', oauth: { signingKey: pem } } as AppConfig, () => undefined),
    adapter: undefined as never,
    customerExists: async () => true,
    grantedDetails: async (_customer, consentId) => granted.get(consentId),
    certificateAuthorized: () => false,
  });
  delete configuration.adapter; // oidc-provider's memory adapter
  configuration.clients = [
    {
      client_id: BARE_CLIENT.clientId,
      client_secret: BARE_CLIENT.clientSecret,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      authorization_details_types: [ACCOUNT_ACCESS_TYPE],
      gatehouse_scopes: SCOPES,
    },
  ];
  const provider = new Provider(`${baseUrl}/oauth`, configuration);
  provider.on('server_error', (_ctx, error: Error) => process.stderr.write(`bare oidc-provider: ${error.message}\n`));
  const callback = provider.callback();
  server.on('request', (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url === '/oauth' || url.startsWith('/oauth/') || url.startsWith('/oauth?')) {
      // As express's app.use('/oauth') presents it: oidc-provider finds its mount path from originalUrl minus url.
      req.originalUrl = url;
      req.url = url.slice('/oauth'.length) || '/';
      return callback(req, res);
    }
    bareInteraction(provider, granted, req, res).catch((e: Error) => sendJson(res, 500, { error: e.message }));
  });
  const discovery = await expectJson<Record<string, string>>(
    await fetch(`${baseUrl}/oauth/.well-known/openid-configuration`),
    200,
    'bare discovery',
  );
  return {
    label: 'bare oidc-provider',
    parEndpoint: discovery.pushed_authorization_request_endpoint!,
    authorizationEndpoint: discovery.authorization_endpoint!,
    tokenEndpoint: discovery.token_endpoint!,
    issuer: discovery.issuer!,
    interactionsUrl: `${baseUrl}/v1/oauth/interactions`,
    clientId: BARE_CLIENT.clientId,
    clientSecret: BARE_CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
    authorizationDetails: AUTHORIZATION_DETAILS,
    customers: Array.from({ length: concurrency }, (_, i) => ({
      accountId: `bare-account-${i}`,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// What Gatehouse does per step

type StatementCounts = Record<FlowStep, { statements: number; transactions: number }>;

/**
 * SQL statements (BEGIN/COMMIT/ROLLBACK not counted) and transactions Gatehouse sends to PostgreSQL
 * in each step of one flow, made after the measured runs with the pg client's `query` wrapped for
 * the duration (Gatehouse runs in this process; TypeORM's pg is this pg). The bare provider sends
 * none: its memory adapter is a Map. With `showSql`, each statement's start goes to stderr.
 */
async function statementsPerStep(target: FlowTarget, showSql: boolean): Promise<StatementCounts> {
  const proto = PgClient.prototype as unknown as {
    query: (...args: unknown[]) => unknown;
  };
  const original = proto.query;
  let statements = 0;
  let transactions = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const sql = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '');
    if (showSql) process.stderr.write(`  sql: ${sql.replace(/\s+/g, ' ').trim().slice(0, 140)}\n`);
    if (/^\s*(BEGIN|START TRANSACTION)\b/i.test(sql)) transactions++;
    else if (!/^\s*(COMMIT|ROLLBACK)\b/i.test(sql)) statements++;
    return original.apply(this, args);
  };
  const counts = {} as StatementCounts;
  try {
    await observeOneFlow(target, (step) => {
      if (showSql) process.stderr.write(`^ ${step}\n`);
      counts[step] = { statements, transactions };
      statements = 0;
      transactions = 0;
    });
  } finally {
    proto.query = original;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Runs and report

/**
 * A measured run and how busy this process's main event loop was meanwhile (0–1): both servers
 * live on it and only the one measured is working, so it says whether the server was CPU-bound in
 * Node or waiting (on PostgreSQL, or for the machine's other load).
 */
type Measured = FlowRunResult & { serverLoopBusy: number };

interface Summary {
  label: string;
  rounds: Measured[];
  flows: number;
  failures: number;
  flowsPerSecond: number;
  /** Per step: the mean over the rounds of each round's percentile. */
  steps: Record<string, { p50: number; p99: number }>;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function summariseRounds(rounds: Measured[]): Summary {
  const steps: Summary['steps'] = {};
  for (const step of [...FLOW_STEPS, 'flow'] as const) {
    steps[step] = {
      p50: mean(rounds.map((r) => r.latencyMs[step].p50)),
      p99: mean(rounds.map((r) => r.latencyMs[step].p99)),
    };
  }
  return {
    label: rounds[0]!.label,
    rounds,
    flows: rounds.reduce((a, r) => a + r.flows, 0),
    failures: rounds.reduce((a, r) => a + r.failures.count, 0),
    flowsPerSecond: mean(rounds.map((r) => r.flowsPerSecond)),
    steps,
  };
}

/** A warm-up (discarded but for its accepted decisions, which are consents too), then the measured run. */
async function round(
  target: FlowTarget,
  settings: Settings,
  label: string,
): Promise<{ measured: Measured; warmupDecisions: number }> {
  const flowSettings = { concurrency: settings.concurrency };
  let warmupDecisions = 0;
  if (settings.warmupSeconds > 0) {
    const warm = await runFlowsInWorker(target, {
      ...flowSettings,
      durationSeconds: settings.warmupSeconds,
    });
    warmupDecisions = warm.decisions;
    if (warm.failures.count > 0) process.stderr.write(`${label} warm-up: ${warm.failures.count} failed flows\n`);
  }
  process.stderr.write(`${label} ...`);
  const loop = performance.eventLoopUtilization();
  const flows = await runFlowsInWorker(target, {
    ...flowSettings,
    durationSeconds: settings.durationSeconds,
  });
  const r: Measured = {
    ...flows,
    serverLoopBusy: performance.eventLoopUtilization(loop).utilization,
  };
  process.stderr.write(
    ` event loop ${(r.serverLoopBusy * 100).toFixed(0)}% busy, ${r.flowsPerSecond.toFixed(1)} flows/s (${r.flows} flows, ${r.failures.count} failed), token p50 ${r.latencyMs.token.p50.toFixed(1)} ms, p99 ${r.latencyMs.token.p99.toFixed(1)} ms\n`,
  );
  return { measured: r, warmupDecisions };
}

const fmt = (n: number, digits = 1) => (Number.isNaN(n) ? '-' : n.toFixed(digits));

function report(
  settings: Settings,
  bare: Summary,
  gatehouse: Summary,
  consents: { rows: number; decisions: number },
  sql: StatementCounts,
) {
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `OAuth bench: node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${new Date().toISOString()}`,
  );
  lines.push(
    `complete flows (PAR → authorize → consent view → decision → resume → token), ${settings.concurrency} concurrent loops, ` +
      `${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s measured, ${settings.rounds} alternating rounds`,
  );
  lines.push('');
  lines.push(
    table([
      ['server', 'flows/s (mean)', 'rounds flows/s', 'flows', 'failed', 'server event loop busy'],
      ...[bare, gatehouse].map((s) => [
        s.label,
        fmt(s.flowsPerSecond),
        s.rounds.map((r) => fmt(r.flowsPerSecond)).join(' / '),
        String(s.flows),
        String(s.failures),
        s.rounds.map((r) => `${(r.serverLoopBusy * 100).toFixed(0)}%`).join(' / '),
      ]),
    ]),
  );
  lines.push('');
  lines.push('latency per step, ms (mean over rounds of each round’s p50 / p99):');
  lines.push(
    table([
      ['step', `${bare.label} p50`, 'p99', `${gatehouse.label} p50`, 'p99', 'gatehouse SQL statements / transactions'],
      ...[...FLOW_STEPS, 'flow'].map((step) => [
        step,
        fmt(bare.steps[step]!.p50),
        fmt(bare.steps[step]!.p99),
        fmt(gatehouse.steps[step]!.p50),
        fmt(gatehouse.steps[step]!.p99),
        step === 'flow'
          ? `${FLOW_STEPS.reduce((a, s) => a + sql[s].statements, 0)} / ${FLOW_STEPS.reduce((a, s) => a + sql[s].transactions, 0)}`
          : `${sql[step as FlowStep].statements} / ${sql[step as FlowStep].transactions}`,
      ]),
    ]),
  );
  lines.push('');
  lines.push(
    `ratio gatehouse / bare: flows/s ${fmt(gatehouse.flowsPerSecond / bare.flowsPerSecond, 3)}; ` +
      `token p99 ${fmt(gatehouse.steps.token!.p99 / bare.steps.token!.p99, 2)}× (${fmt(gatehouse.steps.token!.p99)} vs ${fmt(bare.steps.token!.p99)} ms)`,
  );
  lines.push(
    `consents in Gatehouse's database: ${consents.rows}, decisions accepted (warm-ups and the counted flow included): ${consents.decisions}` +
      (consents.rows === consents.decisions ? ' (match)' : ' (MISMATCH)'),
  );
  const failed = [bare, gatehouse].filter((s) => s.failures > 0);
  if (failed.length === 0) {
    lines.push('every measured flow ended with a token');
  } else {
    lines.push('FAILED FLOWS: the figures above are not clean');
    for (const s of failed) {
      const reasons = new Map<string, number>();
      for (const r of s.rounds) for (const [k, n] of r.failures.reasons) reasons.set(k, (reasons.get(k) ?? 0) + n);
      lines.push(`  ${s.label}: ${s.failures} failed`);
      for (const [k, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 10)) lines.push(`    ${n} × ${k}`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const settings: Settings = {
    durationSeconds: positiveInteger('BENCH_DURATION', 10),
    concurrency: positiveInteger('BENCH_FLOW_CONCURRENCY', 4),
    warmupSeconds: nonNegativeInteger('BENCH_WARMUP', 2),
    rounds: positiveInteger('BENCH_ROUNDS', 2),
  };
  if (settings.concurrency > 1000)
    throw new Error('BENCH_FLOW_CONCURRENCY must be at most 1000 (one sandbox customer each)');

  const bare = await startBareProvider(settings.concurrency);
  const gatehouse = await startGatehouseAtPublicUrl(Math.max(10, settings.concurrency));
  const ours = await gatehouseTarget(gatehouse, settings.concurrency);

  const results = new Map<string, Measured[]>([
    [bare.label, []],
    [ours.label, []],
  ]);
  // Every decision Gatehouse accepted (warm-ups too) must have left exactly one consent.
  let decisions = 0;
  for (let i = 1; i <= settings.rounds; i++) {
    for (const target of [bare, ours]) {
      const r = await round(target, settings, `round ${i}/${settings.rounds}: ${target.label}`);
      results.get(target.label)!.push(r.measured);
      if (target === ours) decisions += r.measured.decisions + r.warmupDecisions;
    }
  }
  const sql = await statementsPerStep(ours, process.env.BENCH_SHOW_SQL === '1');
  decisions += 1;
  const rows = await withClient(gatehouse.database.url, (c) =>
    c.query<{ n: number }>(`SELECT count(*)::int AS n FROM consents`),
  );
  process.stdout.write(
    `${report(settings, summariseRounds(results.get(bare.label)!), summariseRounds(results.get(ours.label)!), { rows: rows.rows[0]!.n, decisions }, sql)}\n`,
  );
  const failed = [...results.values()].flat().some((r) => r.failures.count > 0);
  if (failed || rows.rows[0]!.n !== decisions) process.exitCode = 1;
}

if (require.main === module) runBench('oauth bench', main);
