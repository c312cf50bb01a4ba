import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificatesService } from '../src/apps/ca/certificates.service';
import { ClientAuthService } from '../src/apps/credentials/client-auth.service';
import { WebhooksService } from '../src/apps/webhooks/webhooks.service';
import { verifyWebhookSignature } from '../src/apps/webhooks/webhook-signature';
import { Actor, LEEDS, bearer, createOrganisation, developer, staff } from './harness/actors';
import { approvedOrganisation, createApp, sandboxApp } from './harness/cases';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

const HOUR = 3600_000;
const ATTESTATION = {
  tokensEncryptedAtRest: true,
  leastPrivilege: true,
  noCustomerDataInLogs: true,
  breachNotification72h: true,
  deleteOnConsentRevocation: true,
};
const justify = (scopes: string[]) =>
  Object.fromEntries(
    scopes.map((s) => [s, `We need ${s} to show the customer a budget of their spending across banks.`]),
  );

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver on 127.0.0.1 answering `status` and recording what it got. */
async function receiver(
  status: number,
  host = '127.0.0.1',
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = status;
      res.end(status < 300 ? 'ok' : 'broken');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/hooks/gatehouse`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('apps and credentials', () => {
  let t: TestApp;
  let dir: string;
  let seed = 1;
  beforeAll(async () => {
    t = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-apps-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  /** A new key `<file>.key` (`keyArgs`: openssl's -newkey value and options) and its CSR `<file>.csr` for CN=`cn`. */
  const newCsr = (file: string, cn: string, ...keyArgs: string[]) => {
    openssl(
      'req',
      '-new',
      '-newkey',
      ...keyArgs,
      '-nodes',
      '-keyout',
      `${file}.key`,
      '-subj',
      `/CN=${cn}`,
      '-out',
      `${file}.csr`,
    );
    return readFileSync(join(dir, `${file}.csr`), 'utf8');
  };

  /** A new organisation of `dev`'s; `seed` makes its name unique (the certificate test reads it back). */
  async function organisation(dev: Actor): Promise<string> {
    seed++;
    return createOrganisation(t, dev, { legalName: `Budgetly ${seed} Ltd`, registeredAddress: LEEDS });
  }

  const auth = () => t.app.get(ClientAuthService);

  it('takes an app from sandbox to production: secrets shown once, 409 before approval, review, issue, rotate with grace', async () => {
    const dev = await developer(t, 'apps');
    const reviewer = await staff(t, 'reviewer');
    const org = await organisation(dev);

    // Bad redirect URIs: field errors, nothing written.
    const bad = await createApp(t, dev, org, {
      redirectUris: [
        'https://*.budgetly.co.uk/cb',
        'http://budgetly.co.uk/cb',
        'https://app.budgetly.co.uk/cb#x',
        'https://user@app.budgetly.co.uk/cb',
      ],
    }).expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'redirectUris[0]',
      'redirectUris[1]',
      'redirectUris[2]',
      'redirectUris[3]',
    ]);
    expect(await t.dataSource.query(`SELECT 1 FROM apps WHERE organisation_id = $1`, [org])).toHaveLength(0);

    // A retried creation with the same Idempotency-Key gets the same app and secret, not a second app.
    const createKey = `create-${Date.now()}`;
    const created = await createApp(t, dev, org).set('Idempotency-Key', createKey).expect(201);
    const app = created.body;
    const replayed = await createApp(t, dev, org).set('Idempotency-Key', createKey).expect(201);
    expect(replayed.body).toEqual(app);
    expect(await t.dataSource.query(`SELECT 1 FROM apps WHERE organisation_id = $1`, [org])).toHaveLength(1);
    expect(app.environment).toBe('sandbox');
    expect(app.clientId).toMatch(/^ghc_sandbox_/);
    expect(app.clientSecret).toMatch(/^gatehouse_sandbox_[A-Za-z0-9_-]{48}$/);
    const sandboxSecret: string = app.clientSecret;
    // Shown once: reading the app again never returns it.
    const read = await t.http().get(`/v1/organisations/${org}/apps/${app.id}`).set(bearer(dev.token)).expect(200);
    expect(JSON.stringify(read.body)).not.toContain(sandboxSecret);
    expect(read.body.production).toEqual({
      status: 'none',
      grantedScopes: null,
      inGoodStanding: false,
      problem: 'The app is not approved for production',
    });
    expect(await auth().authenticate(app.clientId, sandboxSecret)).toMatchObject({
      appId: app.id,
      environment: 'sandbox',
    });
    expect(
      await auth().authenticate(app.clientId, sandboxSecret.slice(0, -1) + (sandboxSecret.endsWith('A') ? 'B' : 'A')),
    ).toBeUndefined();

    // Production access before the organisation is approved: 409, and no review task.
    const early = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .send({
        scopeJustifications: justify(app.scopes),
        privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
        dataRetentionDays: 365,
        securityAttestation: ATTESTATION,
      })
      .expect(409);
    expect(early.body.detail).toContain('approved organisation');
    expect(
      await t.dataSource.query(`SELECT 1 FROM review_tasks WHERE type = 'app' AND subject_id = $1`, [app.id]),
    ).toHaveLength(0);

    await approvedOrganisation(t, dev, org, reviewer);

    // Incomplete: a localhost redirect, a missing justification, an attestation left false.
    const incomplete = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .send({
        scopeJustifications: { 'accounts:read': 'We show the accounts the customer chose.' },
        privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
        dataRetentionDays: 365,
        securityAttestation: { ...ATTESTATION, breachNotification72h: false },
      })
      .expect(400);
    expect(incomplete.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'redirectUris[1]',
      'scopeJustifications.transactions:read',
      'securityAttestation.breachNotification72h',
    ]);
    expect(
      incomplete.body.errors.find((e: { field: string }) => e.field === 'securityAttestation.breachNotification72h')
        .message,
    ).toContain('72 hours');

    await t
      .http()
      .patch(`/v1/organisations/${org}/apps/${app.id}`)
      .set(bearer(dev.token))
      .send({ redirectUris: ['https://app.budgetly.co.uk/callback'] })
      .expect(200);
    const requested = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .send({
        scopeJustifications: justify(app.scopes),
        privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
        dataRetentionDays: 365,
        securityAttestation: ATTESTATION,
      })
      .expect(202);
    expect(requested.body.status).toBe('pending');
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .send({
        scopeJustifications: justify(app.scopes),
        privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
        dataRetentionDays: 365,
        securityAttestation: ATTESTATION,
      })
      .expect(409);
    // Production secrets wait for approval.
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
      .set(bearer(dev.token))
      .send({ environment: 'production' })
      .expect(409);

    const task = (await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(200)).body;
    expect(task).toMatchObject({ type: 'app', subjectId: app.id, riskLevel: 'medium' });
    const caseView = await t.http().get(`/v1/review/tasks/${task.id}`).set(bearer(reviewer.token)).expect(200);
    expect(caseView.body.app.name).toBe('Budgetly');
    expect(
      caseView.body.request.scopes.map((s: { scope: string; justification: string }) => [s.scope, s.justification]),
    ).toEqual(app.scopes.map((s: string) => [s, justify(app.scopes)[s]]));
    await t
      .http()
      .post(`/v1/review/tasks/${task.id}/decision`)
      .set(bearer(reviewer.token))
      .send({
        decision: 'approve',
        reasonCodes: ['scopes_justified', 'security_practices_adequate'],
        note: 'Justified and attested.',
      })
      .expect(200);
    await t.smtp.waitFor((m) => m.to.includes(dev.email) && /approved for production/.test(m.subject));
    const approvedApp = (
      await t.http().get(`/v1/organisations/${org}/apps/${app.id}`).set(bearer(dev.token)).expect(200)
    ).body;
    expect(approvedApp.production).toMatchObject({
      status: 'approved',
      grantedScopes: app.scopes,
      inGoodStanding: true,
    });
    expect(approvedApp.productionClientId).toMatch(/^ghc_live_/);

    // First production secret, with an Idempotency-Key: a retry returns the same secret, not a second one.
    const key = `issue-${Date.now()}`;
    const first = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
      .set(bearer(dev.token))
      .set('Idempotency-Key', key)
      .send({ environment: 'production' })
      .expect(201);
    expect(first.body.clientSecret).toMatch(/^gatehouse_live_[A-Za-z0-9_-]{48}$/);
    expect(first.body.clientId).toBe(approvedApp.productionClientId);
    expect(first.body.previousSecretExpiresAt).toBeNull();
    const retry = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
      .set(bearer(dev.token))
      .set('Idempotency-Key', key)
      .send({ environment: 'production' })
      .expect(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    const reused = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
      .set(bearer(dev.token))
      .set('Idempotency-Key', key)
      .send({ environment: 'sandbox' })
      .expect(422);
    expect(reused.body.type).toBe('urn:gatehouse:problem:idempotency-key-reused');
    expect(
      await t.dataSource.query(`SELECT 1 FROM app_credentials WHERE app_id = $1 AND environment = 'production'`, [
        app.id,
      ]),
    ).toHaveLength(1);
    const oldSecret: string = first.body.clientSecret;

    // Rotation: the new one works, the old one keeps working for the grace period, then only the new one.
    const rotated = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
      .set(bearer(dev.token))
      .send({ environment: 'production' })
      .expect(201);
    const newSecret: string = rotated.body.clientSecret;
    expect(newSecret).not.toBe(oldSecret);
    const graceEnds = new Date(rotated.body.previousSecretExpiresAt).getTime();
    expect(graceEnds - Date.now()).toBeGreaterThan(23.9 * HOUR);
    const mail = await t.smtp.waitFor((m) => m.to.includes(dev.email) && /New production secret/.test(m.subject));
    expect(mail.text).not.toContain(newSecret);
    const liveId = approvedApp.productionClientId as string;
    const now = Date.now();
    expect(await auth().authenticate(liveId, oldSecret, new Date(now))).toMatchObject({
      environment: 'production',
      scopes: app.scopes,
    });
    expect(await auth().authenticate(liveId, newSecret, new Date(now))).toMatchObject({ environment: 'production' });
    expect(await auth().authenticate(liveId, oldSecret, new Date(graceEnds - 1000))).toBeDefined();
    expect(await auth().authenticate(liveId, oldSecret, new Date(graceEnds + 1000))).toBeUndefined();
    expect(await auth().authenticate(liveId, newSecret, new Date(now + 25 * HOUR))).toBeDefined();
    // A live secret never opens the sandbox client, nor a sandbox secret the live one.
    expect(await auth().authenticate(app.clientId, newSecret)).toBeUndefined();
    expect(await auth().authenticate(liveId, sandboxSecret)).toBeUndefined();

    const listed = await t
      .http()
      .get(`/v1/organisations/${org}/apps/${app.id}/credentials`)
      .set(bearer(dev.token))
      .expect(200);
    expect(
      listed.body.data.map((c: { environment: string; status: string }) => `${c.environment}:${c.status}`),
    ).toEqual(['production:current', 'production:grace', 'sandbox:current']);
    expect(JSON.stringify(listed.body)).not.toContain(newSecret.slice(12));

    // Revoking the superseded secret kills it at once, grace or not.
    const graceId = listed.body.data[1].id;
    await t
      .http()
      .delete(`/v1/organisations/${org}/apps/${app.id}/credentials/${graceId}`)
      .set(bearer(dev.token))
      .expect(204);
    expect(await auth().authenticate(liveId, oldSecret)).toBeUndefined();

    // No issued secret is anywhere in the database in plain text.
    const dump = execFileSync('pg_dump', ['-h', '127.0.0.1', '-U', 'postgres', '--data-only', t.db.name], {
      maxBuffer: 256 * 1024 * 1024,
    }).toString();
    expect(dump).toContain(app.id);
    for (const secret of [sandboxSecret, oldSecret, newSecret]) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(-43));
    }
  });

  it('stops production credentials at once on suspension of the organisation or the app, and restores them', async () => {
    const dev = await developer(t, 'standing');
    const reviewer = await staff(t, 'reviewer');
    const senior = await staff(t, 'senior_reviewer');
    const org = await organisation(dev);
    await approvedOrganisation(t, dev, org, reviewer);
    const app = await sandboxApp(t, dev, org, {
      redirectUris: ['https://app.budgetly.co.uk/callback'],
      scopes: ['balances:read'],
    });
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .send({
        scopeJustifications: justify(['balances:read']),
        privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
        dataRetentionDays: 30,
        securityAttestation: ATTESTATION,
      })
      .expect(202);
    const task = (await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(200)).body;
    await t
      .http()
      .post(`/v1/review/tasks/${task.id}/decision`)
      .set(bearer(reviewer.token))
      .send({ decision: 'approve', reasonCodes: ['scopes_justified'], note: 'Fine.' })
      .expect(200);
    const live = (
      await t
        .http()
        .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
        .set(bearer(dev.token))
        .send({ environment: 'production' })
        .expect(201)
    ).body;
    const rotated = (
      await t
        .http()
        .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
        .set(bearer(dev.token))
        .send({ environment: 'production' })
        .expect(201)
    ).body;
    newCsr('standing', 'standing', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256');
    const cert = (
      await t
        .http()
        .post(`/v1/organisations/${org}/apps/${app.id}/certificates`)
        .set(bearer(dev.token))
        .send({ csr: readFileSync(join(dir, 'standing.csr'), 'utf8') })
        .expect(201)
    ).body;
    const hook = await receiver(200);
    await t
      .http()
      .put(`/v1/organisations/${org}/apps/${app.id}/webhook`)
      .set(bearer(dev.token))
      .send({ url: hook.url })
      .expect(200);
    const all = [live.clientSecret, rotated.clientSecret] as string[];
    // Every production credential: both secrets (one in its grace period) and the certificate.
    const works = async () =>
      [
        ...(await Promise.all(all.map((s) => auth().authenticate(live.clientId, s)))),
        await auth().authenticateCertificate(cert.thumbprint),
      ].map((r) => r !== undefined);
    expect(await works()).toEqual([true, true, true]);

    await t
      .http()
      .post(`/v1/review/organisations/${org}/suspend`)
      .set(bearer(senior.token))
      .send({ reason: 'Sanctions review of Mr Example' })
      .expect(200);
    expect(await works()).toEqual([false, false, false]);
    const suspended = await eventually(
      () => hook.received.find((r) => JSON.parse(r.body).type === 'app.suspended'),
      15_000,
      'the app.suspended event',
    );
    expect(JSON.parse(suspended.body).data).toEqual({ appId: app.id, cause: 'organisation_suspended' });
    // Sandbox is not production: it keeps working.
    expect(await auth().authenticate(app.clientId, app.clientSecret)).toBeDefined();
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
      .set(bearer(dev.token))
      .send({ environment: 'production' })
      .expect(409);
    await t
      .http()
      .post(`/v1/review/organisations/${org}/reinstate`)
      .set(bearer(senior.token))
      .send({ reason: 'Cleared' })
      .expect(200);
    expect(await works()).toEqual([true, true, true]);
    await eventually(
      () => hook.received.find((r) => JSON.parse(r.body).type === 'app.reinstated'),
      15_000,
      'the app.reinstated event',
    );
    await hook.close();

    // One app alone: senior reviewers only; the developer is emailed.
    await t
      .http()
      .post(`/v1/review/apps/${app.id}/suspend`)
      .set(bearer(reviewer.token))
      .send({ reason: 'x' })
      .expect(403);
    await t.http().post(`/v1/review/apps/${app.id}/suspend`).set(bearer(dev.token)).send({ reason: 'x' }).expect(403);
    await t
      .http()
      .post(`/v1/review/apps/${app.id}/suspend`)
      .set(bearer(senior.token))
      .send({ reason: 'Complaints about data use' })
      .expect(200);
    expect(await works()).toEqual([false, false, false]);
    await t.smtp.waitFor((m) => m.to.includes(dev.email) && /production access is suspended/.test(m.subject));
    await t
      .http()
      .post(`/v1/review/apps/${app.id}/reinstate`)
      .set(bearer(senior.token))
      .send({ reason: 'Resolved' })
      .expect(200);
    expect(await works()).toEqual([true, true, true]);

    // A lapse of verification: a requested item past its deadline stops them too.
    await t.dataSource.query(`UPDATE organisations SET requested_items = $2 WHERE id = $1`, [
      org,
      JSON.stringify([
        {
          requirement: 'organisation.shareholder_register',
          message: 'Send it',
          deadline: new Date(Date.now() - 1000).toISOString(),
          resolvedAt: null,
        },
      ]),
    ]);
    expect(await works()).toEqual([false, false, false]);
  });

  it('issues client certificates that openssl verifies, refuses weak or forged CSRs, and lists revoked ones in the CRL', async () => {
    const dev = await developer(t, 'certs');
    const reviewer = await staff(t, 'reviewer');
    const org = await organisation(dev);
    const app = await sandboxApp(t, dev, org);
    newCsr('client', 'budgetly', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256');
    const csr = readFileSync(join(dir, 'client.csr'), 'utf8');
    // The certificate names the verified organisation, so it waits for approval.
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/certificates`)
      .set(bearer(dev.token))
      .send({ csr })
      .expect(409);
    await approvedOrganisation(t, dev, org, reviewer);

    const issued = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/certificates`)
      .set(bearer(dev.token))
      .set('Idempotency-Key', `cert-${Date.now()}`)
      .send({ csr })
      .expect(201);
    expect(issued.body.thumbprint).toMatch(/^[0-9a-f]{64}$/);
    expect(new Date(issued.body.notAfter).getTime() - Date.now()).toBeLessThanOrEqual(397 * 24 * HOUR + 120_000);
    const caPem = await t.http().get('/v1/ca.pem').expect(200);
    expect(caPem.headers['content-type']).toContain('application/x-pem-file');
    writeFileSync(join(dir, 'ca.pem'), caPem.text);
    writeFileSync(join(dir, 'cert.pem'), issued.body.certificate);
    expect(openssl('verify', '-CAfile', 'ca.pem', '-purpose', 'sslclient', 'cert.pem')).toContain('cert.pem: OK');
    const text = openssl('x509', '-in', 'cert.pem', '-noout', '-text');
    expect(text).toContain(`O = Budgetly ${seed} Ltd`);
    expect(text).toMatch(/URI:urn:gatehouse:client:ghc_live_/);
    expect(
      openssl('x509', '-in', 'cert.pem', '-noout', '-fingerprint', '-sha256')
        .replace(/[^0-9A-F]/gi, '')
        .toLowerCase(),
    ).toContain(issued.body.thumbprint);
    await t.smtp.waitFor((m) => m.to.includes(dev.email) && /Client certificate issued/.test(m.subject));

    // A 1024-bit RSA key, and a CSR whose signature does not match its content.
    newCsr('weak', 'weak', 'rsa:1024');
    const weak = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/certificates`)
      .set(bearer(dev.token))
      .send({ csr: readFileSync(join(dir, 'weak.csr'), 'utf8') })
      .expect(400);
    expect(weak.body.errors[0]).toMatchObject({ field: 'csr', message: expect.stringMatching(/2048/) });
    const der = Buffer.from(csr.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    der[der.length - 5] ^= 0x01;
    const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    const refused = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/certificates`)
      .set(bearer(dev.token))
      .send({ csr: forged })
      .expect(400);
    expect(refused.body.errors[0].field).toBe('csr');
    expect(await t.dataSource.query(`SELECT 1 FROM client_certificates WHERE app_id = $1`, [app.id])).toHaveLength(1);

    // Revoked: in the CRL, and openssl refuses it with the CRL at hand.
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/certificates/${issued.body.id}/revoke`)
      .set(bearer(dev.token))
      .send({ reason: 'keyCompromise' })
      .expect(200);
    const crl = await t
      .http()
      .get('/v1/ca.crl')
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(crl.headers['content-type']).toContain('application/pkix-crl');
    writeFileSync(join(dir, 'ca.crl'), crl.body as Buffer);
    const crlText = openssl('crl', '-inform', 'DER', '-in', 'ca.crl', '-noout', '-text', '-CAfile', 'ca.pem');
    expect(crlText.replace(/[^0-9A-F]/gi, '').toUpperCase()).toContain(
      issued.body.serialNumber.toUpperCase().replace(/^0+/, ''),
    );
    expect(crlText).toContain('Key Compromise');
    openssl('crl', '-inform', 'DER', '-in', 'ca.crl', '-out', 'ca-crl.pem');
    expect(() => openssl('verify', '-CAfile', 'ca.pem', '-CRLfile', 'ca-crl.pem', '-crl_check', 'cert.pem')).toThrow(
      /revoked/,
    );
    expect(await auth().authenticateCertificate(issued.body.thumbprint)).toBeUndefined();
  });

  it('reminds owners 30 and 7 days before a certificate expires, once each, by email and webhook', async () => {
    const dev = await developer(t, 'expiry');
    const reviewer = await staff(t, 'reviewer');
    const org = await organisation(dev);
    await approvedOrganisation(t, dev, org, reviewer);
    const app = await sandboxApp(t, dev, org);
    const hook = await receiver(200);
    try {
      await t
        .http()
        .put(`/v1/organisations/${org}/apps/${app.id}/webhook`)
        .set(bearer(dev.token))
        .send({ url: hook.url })
        .expect(200);
      newCsr('exp', 'exp', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384');
      const cert = (
        await t
          .http()
          .post(`/v1/organisations/${org}/apps/${app.id}/certificates`)
          .set(bearer(dev.token))
          .send({ csr: readFileSync(join(dir, 'exp.csr'), 'utf8') })
          .expect(201)
      ).body;
      const notAfter = new Date(cert.notAfter).getTime();
      const reminders = t.app.get(CertificatesService);
      const expiring = () =>
        t.smtp.messages.filter((m) => m.to.includes(dev.email) && /client certificate expires/.test(m.subject));

      // The daily maintenance job, run with a controlled clock; every instant runs twice, as a
      // retried or overlapping job would, and a reminder must still go out once per threshold.
      const runJobAt = async (daysBefore: number) => {
        for (let run = 0; run < 2; run++)
          await reminders.sendExpiryReminders(new Date(notAfter - daysBefore * 24 * HOUR));
      };
      // What was written, counted in the database rather than waited for: one row per email/event.
      const queued = async () => ({
        emails: (
          (await t.dataSource.query(
            `SELECT data->>'daysLeft' AS days FROM outbox_messages WHERE recipient = $1 AND template = 'certificate-expiring' ORDER BY created_at`,
            [dev.email],
          )) as { days: string }[]
        ).map((r) => Number(r.days)),
        events: (
          (await t.dataSource.query(
            `SELECT payload->'data'->>'daysLeft' AS days FROM webhook_deliveries WHERE app_id = $1 AND event_type = 'certificate.expiring' ORDER BY created_at`,
            [app.id],
          )) as { days: string }[]
        ).map((r) => Number(r.days)),
      });

      await runJobAt(40);
      expect(await queued()).toEqual({ emails: [], events: [] });
      await runJobAt(20);
      await runJobAt(19);
      expect(await queued()).toEqual({ emails: [20], events: [20] });
      const first = await t.smtp.waitFor((m) => m.to.includes(dev.email) && /expires in 20 days/.test(m.subject));
      expect(first.text).toContain(cert.thumbprint);
      await runJobAt(5);
      await t.smtp.waitFor((m) => m.to.includes(dev.email) && /expires in 5 days/.test(m.subject));
      await runJobAt(2);
      expect(await queued()).toEqual({ emails: [20, 5], events: [20, 5] });
      // Both rows are sent, so the catcher holds everything that will ever arrive for them.
      const unsent = `SELECT 1 FROM outbox_messages WHERE recipient = $1 AND template = 'certificate-expiring' AND status <> 'sent'`;
      await eventually(
        async () => (await t.dataSource.query(unsent, [dev.email])).length === 0,
        15_000,
        'both reminders sent',
      );
      expect(expiring().map((m) => m.subject)).toEqual([
        expect.stringContaining('20 days'),
        expect.stringContaining('5 days'),
      ]);
      await eventually(
        () => hook.received.filter((r) => JSON.parse(r.body).type === 'certificate.expiring').length === 2,
        15_000,
        'two certificate.expiring events',
      );
    } finally {
      await hook.close();
    }
  });

  it('rejects a production-access request with reasons; the developer may ask again', async () => {
    const dev = await developer(t, 'appreject');
    const reviewer = await staff(t, 'reviewer');
    const org = await organisation(dev);
    await approvedOrganisation(t, dev, org, reviewer);
    const app = await sandboxApp(t, dev, org, { redirectUris: ['https://app.budgetly.co.uk/callback'] });
    const body = {
      scopeJustifications: justify(app.scopes),
      privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
      dataRetentionDays: 3650,
      securityAttestation: ATTESTATION,
    };
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .send(body)
      .expect(202);
    const task = (await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(200)).body;
    await t
      .http()
      .post(`/v1/review/tasks/${task.id}/decision`)
      .set(bearer(reviewer.token))
      .send({
        decision: 'reject',
        reasonCodes: ['scopes_excessive'],
        note: 'Transactions are not needed for balances.',
      })
      .expect(200);
    const mail = await t.smtp.waitFor(
      (m) => m.to.includes(dev.email) && /was not approved for production/.test(m.subject),
    );
    expect(mail.text).toContain('The app asks for more data than its use needs');
    const history = await t
      .http()
      .get(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .expect(200);
    expect(history.body.data[0]).toMatchObject({
      status: 'rejected',
      reasons: [{ code: 'scopes_excessive', text: 'The app asks for more data than its use needs' }],
    });
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
      .set(bearer(dev.token))
      .send({ environment: 'production' })
      .expect(409);
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .send({ ...body, dataRetentionDays: 90 })
      .expect(202);
    const again = (await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(200)).body;
    expect(again).toMatchObject({ type: 'app', subjectId: app.id });
    await t
      .http()
      .post(`/v1/review/tasks/${again.id}/decision`)
      .set(bearer(reviewer.token))
      .send({ decision: 'approve', reasonCodes: ['scopes_justified'], note: 'Retention shortened.' })
      .expect(200);
  });

  it('needs an FCA-regulated organisation, a certificate and a senior reviewer for high-tier scopes', async () => {
    const dev = await developer(t, 'hightier');
    const reviewer = await staff(t, 'reviewer');
    const senior = await staff(t, 'senior_reviewer');
    const org = await organisation(dev);
    await approvedOrganisation(t, dev, org, reviewer);
    const app = await sandboxApp(t, dev, org, {
      redirectUris: ['https://app.budgetly.co.uk/callback'],
      scopes: ['accounts:read', 'payments:initiate'],
    });
    const body = {
      scopeJustifications: justify(app.scopes),
      privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
      dataRetentionDays: 90,
      securityAttestation: ATTESTATION,
    };
    const refused = await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .send(body)
      .expect(400);
    expect(refused.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(
      /FCA-regulated.*client certificate/s,
    );

    // The organisation claims a regulated status (set directly here) and holds a certificate.
    await t.dataSource.query(
      `UPDATE organisations SET regulatory_status = '{"type":"fca_authorised","firmReferenceNumber":"123456"}' WHERE id = $1`,
      [org],
    );
    newCsr('ht', 'ht', 'rsa:2048');
    const cert = (
      await t
        .http()
        .post(`/v1/organisations/${org}/apps/${app.id}/certificates`)
        .set(bearer(dev.token))
        .send({ csr: readFileSync(join(dir, 'ht.csr'), 'utf8') })
        .expect(201)
    ).body;
    // The claim alone, or a registry check that found the number given to another firm, unlocks nothing.
    const registryCheck = (detail: Record<string, unknown>) =>
      t.dataSource.query(
        `INSERT INTO checks (organisation_id, submission, subject_type, subject_id, name, result, detail)
         SELECT id, submission_count, 'organisation', id, 'registry', $2, $3 FROM organisations WHERE id = $1
         ON CONFLICT ON CONSTRAINT checks_subject_name_key DO UPDATE SET result = EXCLUDED.result, detail = EXCLUDED.detail`,
        [org, detail.firmConfirmed ? 'pass' : 'fail', JSON.stringify(detail)],
      );
    const unconfirmed = async () => {
      const res = await t
        .http()
        .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
        .set(bearer(dev.token))
        .send(body)
        .expect(400);
      expect(res.body.errors).toEqual([{ field: 'scopes', message: expect.stringMatching(/FCA register confirms/) }]);
    };
    await registryCheck({ reason: 'unregulated', registrationNumber: {} });
    await unconfirmed();
    const acme = { frn: '123456', name: 'Acme Payments Ltd', status: 'Authorised' };
    await registryCheck({
      reason: 'the register gives firm reference number 123456 to "Acme Payments Ltd"',
      firm: acme,
      mismatches: ['name'],
      firmConfirmed: false,
    });
    await unconfirmed();
    // Confirmed for another number than the one the organisation holds now: still nothing.
    await registryCheck({ reason: 'confirmed', firm: { ...acme, frn: '654321' }, firmConfirmed: true });
    await unconfirmed();
    // What the KYB registry check stores when the register gives the number to this organisation.
    await registryCheck({ reason: 'Acme Payments Ltd is Authorised on the register', firm: acme, firmConfirmed: true });
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
      .set(bearer(dev.token))
      .send(body)
      .expect(202);

    // A plain reviewer does not even get the case; a senior does.
    await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(204);
    const task = (await t.http().post('/v1/review/tasks/claim').set(bearer(senior.token)).expect(200)).body;
    expect(task).toMatchObject({ type: 'app', subjectId: app.id, riskLevel: 'high' });
    await t
      .http()
      .post(`/v1/review/tasks/${task.id}/decision`)
      .set(bearer(senior.token))
      .send({ decision: 'approve', reasonCodes: ['scopes_justified'], note: 'Regulated, certificate held.' })
      .expect(200);
    expect(await auth().authenticateCertificate(cert.thumbprint)).toMatchObject({
      appId: app.id,
      environment: 'production',
      scopes: ['accounts:read', 'payments:initiate'],
    });
  });

  it('delivers signed webhook events, retries a receiver that fails, and keeps a log the developer reads', async () => {
    const dev = await developer(t, 'hooks');
    const reviewer = await staff(t, 'reviewer');
    const org = await organisation(dev);
    await approvedOrganisation(t, dev, org, reviewer);
    const app = await sandboxApp(t, dev, org, {
      redirectUris: ['https://app.budgetly.co.uk/callback'],
      scopes: ['accounts:read'],
    });
    // Addressed by name, so delivery goes through the resolver (and its private-address guard).
    const good = await receiver(200, 'localhost');
    const broken = await receiver(500);
    try {
      await t
        .http()
        .put(`/v1/organisations/${org}/apps/${app.id}/webhook`)
        .set(bearer(dev.token))
        .send({ url: 'ftp://example.com/x' })
        .expect(400);
      const hook = await t
        .http()
        .put(`/v1/organisations/${org}/apps/${app.id}/webhook`)
        .set(bearer(dev.token))
        .send({ url: good.url })
        .expect(200);
      const secret: string = hook.body.secret;
      expect(secret).toMatch(/^gatehouse_whsec_[A-Za-z0-9_-]{48}$/);

      await t
        .http()
        .post(`/v1/organisations/${org}/apps/${app.id}/production-access`)
        .set(bearer(dev.token))
        .send({
          scopeJustifications: justify(['accounts:read']),
          privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
          dataRetentionDays: 30,
          securityAttestation: ATTESTATION,
        })
        .expect(202);
      const task = (await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(200)).body;
      await t
        .http()
        .post(`/v1/review/tasks/${task.id}/decision`)
        .set(bearer(reviewer.token))
        .send({ decision: 'approve', reasonCodes: ['scopes_justified'], note: 'Fine.' })
        .expect(200);

      const event = await eventually(
        () => good.received.find((r) => JSON.parse(r.body).type === 'app.approved'),
        15_000,
        'the app.approved event',
      );
      expect(verifyWebhookSignature(secret, String(event.headers['gatehouse-signature']), event.body, new Date())).toBe(
        true,
      );
      expect(
        verifyWebhookSignature(
          'gatehouse_whsec_wrong',
          String(event.headers['gatehouse-signature']),
          event.body,
          new Date(),
        ),
      ).toBe(false);
      const payload = JSON.parse(event.body);
      expect(payload).toMatchObject({ type: 'app.approved', data: { appId: app.id, scopes: ['accounts:read'] } });
      expect(event.headers['gatehouse-event-id']).toBe(payload.id);
      expect(event.body).not.toContain(dev.email);

      // A receiver answering 500 gets the event again on the retry schedule.
      await t
        .http()
        .put(`/v1/organisations/${org}/apps/${app.id}/webhook`)
        .set(bearer(dev.token))
        .send({ url: broken.url })
        .expect(200);
      await t
        .http()
        .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
        .set(bearer(dev.token))
        .send({ environment: 'production' })
        .expect(201);
      await t
        .http()
        .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
        .set(bearer(dev.token))
        .send({ environment: 'production' })
        .expect(201);
      await eventually(() => broken.received.length === 1, 15_000, 'the first attempt');
      // The developer's delivery log, once the rotation's delivery shows `attempts` attempts.
      const rotationDelivery = (attempts: number, what: string) =>
        eventually(
          async () => {
            const res = await t
              .http()
              .get(`/v1/organisations/${org}/apps/${app.id}/webhook/deliveries`)
              .set(bearer(dev.token))
              .expect(200);
            const d = res.body.data.find((x: { eventType: string }) => x.eventType === 'credentials.rotated');
            return d?.attempts === attempts ? d : undefined;
          },
          10_000,
          what,
        );
      const log1 = await rotationDelivery(1, 'the first attempt in the log');
      expect(log1).toMatchObject({
        status: 'pending',
        lastStatusCode: 500,
        log: [expect.objectContaining({ attempt: 1, statusCode: 500 })],
      });
      const retryAt = new Date(log1.nextAttemptAt).getTime() - Date.now();
      expect(retryAt).toBeGreaterThan(50_000);
      // Time moves on: the worker's relay, asked as if two minutes later, hands the retry to the queue.
      await t.app.get(WebhooksService).relayDue(new Date(Date.now() + 2 * 60_000));
      await eventually(() => broken.received.length === 2, 15_000, 'the retry');
      expect(broken.received[1]!.headers['gatehouse-delivery-attempt']).toBe('2');
      expect(broken.received[1]!.headers['gatehouse-event-id']).toBe(broken.received[0]!.headers['gatehouse-event-id']);
      const log2 = await rotationDelivery(2, 'the second attempt in the log');
      expect(log2.log.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500]);
    } finally {
      await good.close();
      await broken.close();
    }
  });

  it('refuses local and internal webhook hosts under production rules, at set time and at delivery', async () => {
    const dev = await developer(t, 'localhooks');
    const org = await organisation(dev);
    const app = await sandboxApp(t, dev, org, { redirectUris: ['https://app.budgetly.co.uk/callback'] });
    const hookUrl = `/v1/organisations/${org}/apps/${app.id}/webhook`;
    const stored = async () =>
      (await t.dataSource.query(`SELECT webhook_url FROM apps WHERE id = $1`, [app.id]))[0].webhook_url;
    // Stored while the deployment was not production (or before the rule), then production rules apply.
    // An IP literal: Node connects to it without a DNS lookup, so only the URL re-check can stop it.
    const local = await receiver(200);
    try {
      await t.http().put(hookUrl).set(bearer(dev.token)).send({ url: local.url }).expect(200);
      const production = jest.spyOn(WebhooksService.prototype as never, 'production' as never, 'get' as never);
      (production as jest.SpyInstance).mockReturnValue(true);
      try {
        const refused = [
          'https://metadata.google.internal/computeMetadata/v1/',
          'https://metadata.google.internal./computeMetadata/v1/',
          'https://localhost./hook',
          'https://intranet/hook',
          'https://printer.local/hook',
          'https://2130706433/hook',
          'https://0x7f.1/hook',
          'https://[::ffff:169.254.169.254]/hook',
        ];
        for (const url of refused) {
          const res = await t.http().put(hookUrl).set(bearer(dev.token)).send({ url });
          const problem = expect.stringContaining('application/problem+json');
          const seen = { url, status: res.status, type: res.headers['content-type'] };
          expect(seen).toEqual({ url, status: 400, type: problem });
          const message = expect.stringContaining('must name a public host');
          expect(res.body.errors).toEqual([{ field: 'url', message }]);
        }
        expect(await stored()).toBe(local.url);

        // The URL stored earlier is refused when the delivery is attempted: nothing reaches the receiver.
        // Not due, so the worker's relay leaves it to this test.
        const deliveryId = await t.dataSource.transaction(async (m) => {
          const id = await t.app.get(WebhooksService).emit(m, app.id, 'credentials.rotated', {});
          await m.query(`UPDATE webhook_deliveries SET next_attempt_at = now() + interval '1 day' WHERE id = $1`, [id]);
          return id;
        });
        expect(await t.app.get(WebhooksService).deliver(deliveryId!, 1)).toBe('retry');
        const attemptsSql = `SELECT status_code, error FROM webhook_delivery_attempts WHERE delivery_id = $1`;
        const [attempt] = await t.dataSource.query(attemptsSql, [deliveryId]);
        expect(attempt).toEqual({ status_code: null, error: expect.stringMatching(/^refused: /) });
        expect(local.received).toHaveLength(0);
      } finally {
        (production as jest.SpyInstance).mockRestore();
      }
    } finally {
      await local.close();
    }
  });

  it('answers bad or foreign input on every write route with a 4xx problem and changes nothing', async () => {
    const dev = await developer(t, 'badinput');
    const outsider = await developer(t, 'badoutsider');
    const senior = await staff(t, 'senior_reviewer');
    const org = await organisation(dev);
    await organisation(outsider);
    const app = await sandboxApp(t, dev, org);
    const base = `/v1/organisations/${org}/apps/${app.id}`;
    const credentialId = (await t.dataSource.query(`SELECT id FROM app_credentials WHERE app_id = $1`, [app.id]))[0]
      .id as string;
    const state = async () =>
      JSON.stringify([
        await t.dataSource.query(
          `SELECT name, description, website_url, redirect_uris, scopes, production_status, suspended_at, webhook_url, production_client_id, updated_at FROM apps WHERE id = $1`,
          [app.id],
        ),
        await t.dataSource.query(
          `SELECT id, superseded_at, revoked_at FROM app_credentials WHERE app_id = $1 ORDER BY id`,
          [app.id],
        ),
        await t.dataSource.query(`SELECT count(*) FROM client_certificates WHERE app_id = $1`, [app.id]),
        await t.dataSource.query(`SELECT count(*) FROM production_access_requests WHERE app_id = $1`, [app.id]),
        await t.dataSource.query(`SELECT count(*) FROM audit_entries WHERE subject_id = $1`, [app.id]),
      ]);
    const before = await state();
    const big = 'x'.repeat(1_000_000);
    const access = {
      scopeJustifications: justify(app.scopes),
      privacyPolicyUrl: 'https://budgetly.co.uk/privacy',
      dataRetentionDays: 30,
      securityAttestation: ATTESTATION,
    };
    const cases: [string, string, string | object, number][] = [
      ['patch', base, { admin: true }, 400],
      ['patch', base, { name: 42 }, 400],
      ['patch', base, { redirectUris: ['javascript:alert(1)'] }, 400],
      ['patch', base, { description: big }, 400],
      ['patch', base, '{"name": ', 400],
      ['post', `${base}/production-access`, {}, 400],
      ['post', `${base}/production-access`, { ...access, dataRetentionDays: 'forever' }, 400],
      ['post', `${base}/production-access`, { ...access, securityAttestation: { ...ATTESTATION, extra: true } }, 400],
      ['post', `${base}/production-access`, { ...access, privacyPolicyUrl: 'http://budgetly.co.uk/privacy' }, 400],
      ['post', `${base}/credentials`, { environment: 'staging' }, 400],
      ['post', `${base}/credentials`, { environment: 'sandbox', note: 'x' }, 400],
      ['post', `${base}/certificates`, {}, 400],
      ['post', `${base}/certificates`, { csr: 'x'.repeat(20_000) }, 400],
      [
        'post',
        `${base}/certificates`,
        { csr: '-----BEGIN CERTIFICATE REQUEST-----\nnonsense\n-----END CERTIFICATE REQUEST-----' },
        409,
      ],
      ['put', `${base}/webhook`, {}, 400],
      ['put', `${base}/jwks`, {}, 400],
      ['put', `${base}/jwks`, { keys: 'none' }, 400],
      ['put', `${base}/jwks`, { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] }, 400],
      ['put', `${base}/jwks`, { keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', d: 'AAAA', kid: 'p' }] }, 400],
      ['put', `${base}/webhook`, { url: `https://hooks.example.com/${'a'.repeat(300)}` }, 400],
      ['delete', `${base}/credentials/not-a-uuid`, {}, 404],
      ['post', `${base}/certificates/00000000-0000-4000-8000-000000000000/revoke`, { reason: 'keyCompromise' }, 404],
      ['post', `${base}/certificates/00000000-0000-4000-8000-000000000000/revoke`, { reason: 'bored' }, 400],
    ];
    for (const [method, path, body, status] of cases) {
      const req = t.http()[method as 'post'](path).set(bearer(dev.token));
      const res = await (typeof body === 'string'
        ? req.set('content-type', 'application/json').send(body)
        : req.send(body));
      expect([method, path, res.status]).toEqual([method, path, status]);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    // Another tenant's developer, with well-formed bodies: 404 everywhere, as if the app did not exist.
    const foreign: [string, string, object][] = [
      ['get', base, {}],
      ['patch', base, { name: 'Mine now' }],
      ['post', `${base}/production-access`, access],
      ['post', `${base}/credentials`, { environment: 'sandbox' }],
      ['delete', `${base}/credentials/${credentialId}`, {}],
      ['post', `${base}/certificates`, { csr: 'irrelevant' }],
      ['put', `${base}/webhook`, { url: 'https://hooks.example.com/x' }],
      ['put', `${base}/jwks`, { keys: [] }],
      ['delete', `${base}/webhook`, {}],
      ['get', `${base}/webhook/deliveries`, {}],
    ];
    for (const [method, path, body] of foreign) {
      const res = await t.http()[method as 'post'](path).set(bearer(outsider.token)).send(body);
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    // Staff routes: a malformed id or a missing reason is refused before anything happens.
    await t
      .http()
      .post('/v1/review/apps/not-a-uuid/suspend')
      .set(bearer(senior.token))
      .send({ reason: 'x' })
      .expect(400);
    await t.http().post(`/v1/review/apps/${app.id}/suspend`).set(bearer(senior.token)).send({}).expect(400);
    await t
      .http()
      .post(`/v1/review/apps/${app.id}/reinstate`)
      .set(bearer(senior.token))
      .send({ reason: 'not suspended' })
      .expect(409);
    expect(await state()).toBe(before);
  });

  it('keeps apps to their organisation: members read, owners and admins write, others get 404', async () => {
    const owner = await developer(t, 'owner');
    const outsider = await developer(t, 'outsider');
    const memberDev = await developer(t, 'member');
    const org = await organisation(owner);
    const app = await sandboxApp(t, owner, org);
    await t.dataSource.query(
      `INSERT INTO organisation_members (organisation_id, user_id, role) VALUES ($1, $2, 'member')`,
      [org, memberDev.id],
    );

    await t.http().get(`/v1/organisations/${org}/apps/${app.id}`).set(bearer(memberDev.token)).expect(200);
    await createApp(t, memberDev, org).expect(403);
    await t
      .http()
      .post(`/v1/organisations/${org}/apps/${app.id}/credentials`)
      .set(bearer(memberDev.token))
      .send({ environment: 'sandbox' })
      .expect(403);
    for (const path of [
      `/v1/organisations/${org}/apps`,
      `/v1/organisations/${org}/apps/${app.id}`,
      `/v1/organisations/${org}/apps/${app.id}/credentials`,
      `/v1/organisations/${org}/apps/${app.id}/webhook/deliveries`,
    ]) {
      await t.http().get(path).set(bearer(outsider.token)).expect(404);
      await t.http().get(path).expect(401);
    }
    // The outsider's own organisation does not reach the app either.
    const theirs = await organisation(outsider);
    await t.http().get(`/v1/organisations/${theirs}/apps/${app.id}`).set(bearer(outsider.token)).expect(404);
    await t
      .http()
      .post(`/v1/organisations/${theirs}/apps/${app.id}/credentials`)
      .set(bearer(outsider.token))
      .send({ environment: 'sandbox' })
      .expect(404);
    // Unknown fields and wrong types are refused and change nothing.
    await createApp(t, owner, org, { admin: true }).expect(400);
    await createApp(t, owner, org, { scopes: ['accounts:read', 'everything:write'] }).expect(400);
    await createApp(t, owner, org, { name: 'x'.repeat(1_000_000) }).expect((res) =>
      expect([400, 413]).toContain(res.status),
    );
    expect(await t.dataSource.query(`SELECT 1 FROM apps WHERE organisation_id = $1`, [org])).toHaveLength(1);
    // The catalogue teaches without a token.
    const scopes = await t.http().get('/v1/scopes').expect(200);
    expect(scopes.body.data.find((s: { name: string }) => s.name === 'payments:initiate')).toMatchObject({
      tier: 'high',
      productionRequires: { fcaRegulated: true, clientCertificate: true, seniorReview: true },
    });
    const attestation = await t.http().get('/v1/security-attestation').expect(200);
    expect(attestation.body.data).toHaveLength(5);
    // …and so does the API documentation, item by item.
    const doc = await t.http().get('/docs-json').expect(200);
    const items = doc.body.components.schemas.SecurityAttestationDto.properties;
    expect(Object.keys(items).sort()).toEqual([
      'breachNotification72h',
      'deleteOnConsentRevocation',
      'leastPrivilege',
      'noCustomerDataInLogs',
      'tokensEncryptedAtRest',
    ]);
    expect(items.breachNotification72h.description).toMatch(/72 hours.*ICO/s);
    expect(
      doc.body.paths['/v1/organisations/{orgId}/apps/{appId}/credentials'].post.parameters.map(
        (p: { name: string }) => p.name,
      ),
    ).toContain('Idempotency-Key');
  });
});
