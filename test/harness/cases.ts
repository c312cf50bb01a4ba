import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Actor, LEEDS, ORGANISATION, bearer, createOrganisation } from './actors';
import { pngImage } from './images';
import { TestApp } from './test-app';
import { eventually } from './wait';

/**
 * Factories for the KYB and app cases the e2e specs start from. Every step goes through the real
 * HTTP API (and the real workers for the checks), so a case built here is one a developer could
 * have built; the steps throw with the response when they do not get the status they expect.
 */

export const FIXTURES = join(__dirname, '..', 'fixtures', 'uploads');
export const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

export interface UploadOptions {
  /** The part's file name; a name with a slash is sent exactly as given. Default `upload`. */
  filename?: string;
  /** The declared type; the server decides by the bytes. Default application/octet-stream. */
  contentType?: string;
}

/** POST /v1/organisations/:org/documents as multipart: `fields`, then the file. Returns the request to assert on. */
export function upload(
  t: TestApp,
  token: string,
  org: string,
  file: Buffer,
  fields: Record<string, string>,
  options: UploadOptions = {},
) {
  let req = t.http().post(`/v1/organisations/${org}/documents`).set(bearer(token));
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  const filename = options.filename ?? 'upload';
  // form-data keeps only the base name of `filename`; `filepath` sends the name exactly as given.
  const name = filename.includes('/') ? { filepath: filename } : { filename };
  return req.attach('file', file, { ...name, contentType: options.contentType ?? 'application/octet-stream' } as {
    filename: string;
    contentType: string;
  });
}

export interface Director {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  nationality: string;
}

/** A director no check has anything against. */
export const DIRECTOR: Director = {
  firstName: 'James',
  lastName: 'Smith',
  dateOfBirth: '1980-02-03',
  nationality: 'GB',
};

export interface DocumentsOptions {
  director?: Director;
  /** The director's identity document; `personId` is added. Default: a unique driving licence. */
  identity?: { file: Buffer; fields: Record<string, string> };
  /** Default: the fixture certificate with the organisation id appended, so no two cases share its bytes. */
  certificate?: Buffer;
}

let seed = 0;

/**
 * Everything a KYB submission needs: one director with an identity document and a certificate of
 * incorporation. The defaults are unique per call (picture, licence number, certificate bytes), so
 * the duplicate-document checks find nothing. Returns the director's person id.
 */
export async function addPeopleAndDocuments(
  t: TestApp,
  dev: Actor,
  org: string,
  options: DocumentsOptions = {},
): Promise<string> {
  const director = options.director ?? DIRECTOR;
  const person = await t
    .http()
    .post(`/v1/organisations/${org}/people`)
    .set(bearer(dev.token))
    .send({ ...director, roles: ['director'] });
  if (person.status !== 201) throw new Error(`add director: ${person.status} ${JSON.stringify(person.body)}`);
  const personId: string = person.body.id;
  seed++;
  const identity = options.identity ?? {
    file: pngImage(90, 60, seed),
    fields: {
      type: 'driving_licence',
      documentNumber: `DL${seed}X${Date.now()}`.slice(0, 16),
      issuingCountry: 'GB',
      expiresOn: '2034-01-01',
    },
  };
  const { type, ...rest } = identity.fields;
  await expectCreated(
    upload(t, dev.token, org, identity.file, { type: type!, personId, ...rest }),
    'identity document',
  );
  const certificate =
    options.certificate ??
    Buffer.concat([fixture('certificate-of-incorporation.pdf'), Buffer.from(`% ${org}\n%%EOF\n`)]);
  await expectCreated(upload(t, dev.token, org, certificate, { type: 'certificate_of_incorporation' }), 'certificate');
  return personId;
}

async function expectCreated(req: PromiseLike<{ status: number; body: unknown }>, what: string): Promise<void> {
  const res = await req;
  if (res.status !== 201) throw new Error(`upload ${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** POST …/verification/submit, expecting 202 (accepted; the checks run on the workers). */
export async function submit(t: TestApp, dev: Actor, org: string): Promise<void> {
  await t.http().post(`/v1/organisations/${org}/verification/submit`).set(bearer(dev.token)).expect(202);
}

/** Waits until the checks have run and the case has a pending review task. */
export async function reviewTaskQueued(t: TestApp, org: string): Promise<void> {
  const pending = `SELECT 1 FROM review_tasks WHERE organisation_id = $1 AND status = 'pending'`;
  await eventually(async () => (await t.dataSource.query(pending, [org])).length === 1, 30_000, 'a review task');
}

/** People and documents added to `org`, submitted, checked and waiting in the review queue. */
export async function queue(t: TestApp, dev: Actor, org: string, options: DocumentsOptions = {}): Promise<void> {
  await addPeopleAndDocuments(t, dev, org, options);
  await submit(t, dev, org);
  await reviewTaskQueued(t, org);
}

/**
 * A new organisation of `dev`'s that passes every check, submitted and waiting in the queue. Its
 * default name is unique (Widgets N Ltd, Leeds), so cases do not look like one another.
 */
export async function queuedCase(
  t: TestApp,
  dev: Actor,
  options: DocumentsOptions & { organisation?: Partial<typeof ORGANISATION> } = {},
): Promise<string> {
  const org = await createOrganisation(
    t,
    dev,
    options.organisation ?? { legalName: `Widgets ${++seed} Ltd`, registeredAddress: LEEDS },
  );
  await queue(t, dev, org, options);
  return org;
}

/**
 * Empties the review queue of the tasks of `orgIds` (all open tasks when omitted), as if their cases
 * had been closed: the tasks are cancelled and their organisations still waiting for review are
 * rejected. Cancelling alone would leave a case in pending_review with no task, which the
 * every-minute repair (KybCasesService.openMissing) rightly opens again, in the middle of a later test.
 */
export async function clearReviewQueue(t: TestApp, orgIds?: string[]): Promise<void> {
  await t.dataSource.transaction(async (m) => {
    const tasks = (await m.query(
      `UPDATE review_tasks SET status = 'cancelled'
        WHERE status IN ('pending', 'claimed') AND ($1::uuid[] IS NULL OR organisation_id = ANY($1::uuid[]))
        RETURNING organisation_id`,
      [orgIds ?? null],
    )) as [{ organisation_id: string }[], number];
    const closed = [...new Set([...(orgIds ?? []), ...tasks[0].map((r) => r.organisation_id)])];
    await m.query(
      `UPDATE organisations SET verification_status = 'rejected'
        WHERE id = ANY($1::uuid[])
          AND verification_status IN ('pending_review', 'in_review', 'awaiting_second_approval', 'suspended')`,
      [closed],
    );
  });
}

export interface ClaimedTask {
  id: string;
  organisationId: string;
  claimVersion: number;
  leaseExpiresAt: string;
}

/** POST /v1/review/tasks/claim as `reviewer`; the claimed task must be `org`'s (tasks are queued one at a time). */
export async function claim(t: TestApp, reviewer: Actor, org: string): Promise<ClaimedTask> {
  const res = await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(200);
  expect(res.body.organisationId).toBe(org);
  return res.body as ClaimedTask;
}

/** A case in review: `org` queued, then claimed by `reviewer` (the first claim starts the review). */
export async function claimedCase(
  t: TestApp,
  dev: Actor,
  org: string,
  reviewer: Actor,
  options: DocumentsOptions = {},
): Promise<ClaimedTask> {
  await queue(t, dev, org, options);
  return claim(t, reviewer, org);
}

/** KYB through the real path: people, documents, submit, checks, and `reviewer`'s approval. */
export async function approvedOrganisation(t: TestApp, dev: Actor, org: string, reviewer: Actor): Promise<void> {
  const task = await claimedCase(t, dev, org, reviewer);
  const body = { decision: 'approve', reasonCodes: ['documents_verified'], note: 'Consistent.' };
  await t.http().post(`/v1/review/tasks/${task.id}/decision`).set(bearer(reviewer.token)).send(body).expect(200);
}

/** The app `createApp` registers unless told otherwise. */
export const APP = {
  name: 'Budgetly',
  description: 'Budgets across all your banks.',
  redirectUris: ['https://app.budgetly.co.uk/callback', 'http://localhost:8080/cb'],
  scopes: ['accounts:read', 'transactions:read'],
};

/** POST /v1/organisations/:org/apps with APP overridden by `body`; returns the request to assert on. */
export const createApp = (t: TestApp, dev: Actor, org: string, body: Record<string, unknown> = {}) =>
  t
    .http()
    .post(`/v1/organisations/${org}/apps`)
    .set(bearer(dev.token))
    .send({ ...APP, ...body });

export interface SandboxApp {
  id: string;
  clientId: string;
  /** Shown only in this answer. */
  clientSecret: string;
  scopes: string[];
  environment: 'sandbox';
}

/** An app with sandbox credentials (any organisation may have one; production needs approval). */
export async function sandboxApp(
  t: TestApp,
  dev: Actor,
  org: string,
  body: Record<string, unknown> = {},
): Promise<SandboxApp> {
  return (await createApp(t, dev, org, body).expect(201)).body as SandboxApp;
}
