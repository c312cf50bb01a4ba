import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, bearer, owner, staff } from './actors';
import type * as OpenIdClient from 'openid-client';
import { approvedOrganisation, createApp } from './cases';
import { REDIRECT_URI, oidc } from './oauth';
import { TestApp } from './test-app';

/**
 * A production app made the way a developer and a reviewer make one, through the real API: an
 * approved organisation, an app whose only redirect URI is https, its production-access request
 * approved by a reviewer, and a client certificate issued by Gatehouse's CA from the app's CSR.
 */
export interface ProductionApp {
  dev: Actor & { orgId: string };
  id: string;
  sandboxClientId: string;
  clientId: string;
  certificate: IssuedClientCertificate;
}

export interface IssuedClientCertificate {
  id: string;
  /** PEM certificate and its private key (PKCS#8 PEM), as the app holds them. */
  cert: string;
  key: string;
  /** RFC 8705 x5t#S256 of the certificate: SHA-256 of its DER, base64url. */
  x5tS256: string;
}

const ATTESTATION = {
  tokensEncryptedAtRest: true,
  leastPrivilege: true,
  noCustomerDataInLogs: true,
  breachNotification72h: true,
  deleteOnConsentRevocation: true,
};

/** A new P-256 key and a CSR for it (openssl, as a developer would make one). */
export function newKeyAndCsr(cn = 'budgetly'): { key: string; csr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-csr-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'k.pem',
        '-subj',
        `/CN=${cn}`,
        '-out',
        'r.csr',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { key: readFileSync(join(dir, 'k.pem'), 'utf8'), csr: readFileSync(join(dir, 'r.csr'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const x5tS256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');

/** POST …/certificates with a fresh key's CSR; returns the certificate with its key. */
export async function issueCertificate(
  t: TestApp,
  dev: Actor & { orgId: string },
  appId: string,
): Promise<IssuedClientCertificate> {
  const { key, csr } = newKeyAndCsr();
  const res = await t
    .http()
    .post(`/v1/organisations/${dev.orgId}/apps/${appId}/certificates`)
    .set(bearer(dev.token))
    .send({ csr });
  if (res.status !== 201) throw new Error(`certificate: ${res.status} ${JSON.stringify(res.body)}`);
  const cert = res.body.certificate as string;
  return { id: res.body.id as string, cert, key, x5tS256: x5tS256(cert) };
}

/** An app approved for production with a Gatehouse client certificate (see ProductionApp). */
export async function productionApp(t: TestApp, label: string, reviewer?: Actor): Promise<ProductionApp> {
  const dev = await owner(t, label);
  const staffReviewer = reviewer ?? (await staff(t, 'reviewer'));
  await approvedOrganisation(t, dev, dev.orgId, staffReviewer);
  const created = await createApp(t, dev, dev.orgId, { redirectUris: ['https://app.budgetly.co.uk/callback'] });
  if (created.status !== 201) throw new Error(`app: ${created.status} ${JSON.stringify(created.body)}`);
  const app = created.body as { id: string; clientId: string; scopes: string[] };
  const justifications = Object.fromEntries(
    app.scopes.map((s) => [s, `We need ${s} to show the customer a budget of their spending across banks.`]),
  );
  await t
    .http()
    .post(`/v1/organisations/${dev.orgId}/apps/${app.id}/production-access`)
    .set(bearer(dev.token))
    .send({
      scopeJustifications: justifications,
      privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
      dataRetentionDays: 365,
      securityAttestation: ATTESTATION,
    })
    .expect(202);
  const task = (await t.http().post('/v1/review/tasks/claim').set(bearer(staffReviewer.token)).expect(200)).body;
  if (task.subjectId !== app.id) throw new Error(`claimed ${JSON.stringify(task)}, not the app's task`);
  await t
    .http()
    .post(`/v1/review/tasks/${task.id}/decision`)
    .set(bearer(staffReviewer.token))
    .send({ decision: 'approve', reasonCodes: ['scopes_justified', 'security_practices_adequate'], note: 'Fine.' })
    .expect(200);
  const certificate = await issueCertificate(t, dev, app.id);
  const read = await t.http().get(`/v1/organisations/${dev.orgId}/apps/${app.id}`).set(bearer(dev.token)).expect(200);
  return { dev, id: app.id, sandboxClientId: app.clientId, clientId: read.body.productionClientId, certificate };
}

export interface NodeFetchOptions {
  /** Client certificate and key (PEM) for the TLS handshake. */
  cert?: string;
  key?: string;
  /** CA certificates trusted for the server (PEM). */
  ca?: string;
  /** Source address of the connection (127.0.0.2 is a different peer than 127.0.0.1 on Linux). */
  localAddress?: string;
  /** Headers added to every request (a proxy's Client-Cert). */
  headers?: Record<string, string>;
}

/**
 * A Fetch API over node:http/https with client certificates and a chosen source address — what a
 * third-party app uses for mTLS (openid-client's `customFetch`), and what a proxy looks like.
 */
export function nodeFetch(options: NodeFetchOptions) {
  return async (
    url: string,
    init: { method?: string; headers?: Record<string, string> | Headers; body?: unknown } = {},
  ): Promise<Response> => {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => (headers[k] = v));
    Object.assign(headers, options.headers);
    const body =
      init.body === undefined || init.body === null
        ? undefined
        : init.body instanceof URLSearchParams
          ? init.body.toString()
          : typeof init.body === 'string'
            ? init.body
            : Buffer.from(init.body as ArrayBuffer);
    if (body !== undefined && init.body instanceof URLSearchParams && !headers['content-type'])
      headers['content-type'] = 'application/x-www-form-urlencoded';
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const req = send(
        target,
        {
          method: init.method ?? 'GET',
          headers,
          cert: options.cert,
          key: options.key,
          ca: options.ca,
          localAddress: options.localAddress,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, value);
            }
            const status = res.statusCode ?? 500;
            resolve(
              new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: h }),
            );
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

/** RFC 9440 Client-Cert value of a PEM certificate: `:<base64 DER>:`. */
export const clientCertHeader = (pem: string) => `:${new X509Certificate(pem).raw.toString('base64')}:`;

/**
 * openid-client as a production app: `auth` (tls_client_auth by default) with the mTLS endpoint
 * aliases, presenting `cert` on every TLS connection and trusting Gatehouse's CA (`ca`, PEM).
 */
export async function productionThirdPartyApp(
  t: TestApp,
  clientId: string,
  cert: { cert: string; key: string },
  ca: string,
  auth: OpenIdClient.ClientAuth = oidc.TlsClientAuth(),
): Promise<OpenIdClient.Configuration> {
  const config = await oidc.discovery(
    new URL(`${t.baseUrl}/oauth`),
    clientId,
    { use_mtls_endpoint_aliases: true },
    auth,
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  config[oidc.customFetch] = nodeFetch({ cert: cert.cert, key: cert.key, ca }) as never;
  return config;
}

/** What the PAR endpoint answers `config`'s client: 'accepted' or the OAuth error (also from a WWW-Authenticate challenge). */
export function pushedRequestOutcome(config: OpenIdClient.Configuration): Promise<string | undefined> {
  return oidc
    .buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      authorization_details: JSON.stringify([{ type: 'account_access', scopes: ['accounts:read'] }]),
    })
    .then(
      () => 'accepted',
      (e: { error?: string; cause?: { parameters?: { error?: string } }[] }) =>
        e.error ?? (Array.isArray(e.cause) ? e.cause[0]?.parameters?.error : undefined),
    );
}
