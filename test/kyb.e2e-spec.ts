import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { Actor, ORGANISATION, bearer, createOrganisation, developer, owner as orgOwner, staff } from './harness/actors';
import { addPeopleAndDocuments, fixture, upload } from './harness/cases';
import { jpegImage, pngImage } from './harness/images';
import { spawnEntry } from './harness/processes';
import { TestApp, startTestApp } from './harness/test-app';

const OLD_KEY = randomBytes(32).toString('base64');
const NEW_KEY = randomBytes(32).toString('base64');
const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';

/** Every file (recursively) under the storage directory, with its size. */
function storedFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

describe('KYB: people, documents, submission', () => {
  let t: TestApp;
  let owner: Actor;
  let orgId: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { MASTER_KEY: OLD_KEY } });
    ({ orgId, ...owner } = await orgOwner(t, 'kyb-owner'));
  });
  afterAll(() => t.close());

  let personId: string;
  let passportId: string;
  let certificateId: string;

  it('lists every missing item by name before anything is there', async () => {
    const res = await t.http().post(`/v1/organisations/${orgId}/verification/submit`).set(bearer(owner.token));
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.requirements.currentlyDue).toEqual(
      expect.arrayContaining(['organisation.director', 'organisation.certificate_of_incorporation']),
    );
  });

  it('adds a director who is also the beneficial owner, and names the identity document as due', async () => {
    const person = await t
      .http()
      .post(`/v1/organisations/${orgId}/people`)
      .set(bearer(owner.token))
      .send({
        firstName: 'Anna Maria',
        lastName: 'Eriksson',
        dateOfBirth: '1974-08-12',
        nationality: 'SE',
        roles: ['director', 'ubo'],
        ownershipPercent: 60,
      })
      .expect(201);
    personId = person.body.id;
    expect(person.body).toMatchObject({ roles: ['director', 'ubo'], ownershipPercent: 60 });
    const verification = await t
      .http()
      .get(`/v1/organisations/${orgId}/verification`)
      .set(bearer(owner.token))
      .expect(200);
    expect(verification.body.requirements.currentlyDue).toEqual(
      expect.arrayContaining([`person.${personId}.identity_document`, 'organisation.certificate_of_incorporation']),
    );
    expect(verification.body.status).toBe('unverified');
  });

  it('refuses a beneficial owner under 25 % and a person without a role', async () => {
    const res = await t
      .http()
      .post(`/v1/organisations/${orgId}/people`)
      .set(bearer(owner.token))
      .send({
        firstName: 'Small',
        lastName: 'Holder',
        dateOfBirth: '1990-01-01',
        nationality: 'GB',
        roles: ['ubo'],
        ownershipPercent: 10,
      });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'ownershipPercent' })]);
    await t
      .http()
      .post(`/v1/organisations/${orgId}/people`)
      .set(bearer(owner.token))
      .send({ firstName: 'No', lastName: 'Role', dateOfBirth: '1990-01-01', nationality: 'GB', roles: [] })
      .expect(400);
  });

  it('uploads a passport image with its MRZ fields and a certificate of incorporation', async () => {
    const passport = await upload(
      t,
      owner.token,
      orgId,
      fixture('passport-scan.png'),
      {
        type: 'passport',
        personId,
        documentNumber: 'L898902C3',
        issuingCountry: 'SE',
        expiresOn: '2031-04-15',
        mrz: MRZ,
      },
      { filename: 'passport.png', contentType: 'image/png' },
    ).expect(201);
    expect(passport.body).toMatchObject({
      type: 'passport',
      personId,
      status: 'uploaded',
      mimeType: 'image/png',
      size: fixture('passport-scan.png').length,
    });
    expect(passport.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    passportId = passport.body.id;
    // The bytes decide: a PDF sent with no declared type is recognised as a PDF.
    const certificate = await upload(
      t,
      owner.token,
      orgId,
      fixture('certificate-of-incorporation.pdf'),
      { type: 'certificate_of_incorporation' },
      { filename: 'certificate' },
    ).expect(201);
    expect(certificate.body.mimeType).toBe('application/pdf');
    certificateId = certificate.body.id;
  });

  it('never stores the plain bytes, and serves them back identical with safe headers', async () => {
    const dir = t.config.storage.dir;
    const files = storedFiles(dir);
    expect(files).toHaveLength(2);
    const marker = Buffer.from('CERTIFICATE OF INCORPORATION - ACME');
    for (const f of files) {
      const stored = readFileSync(f);
      expect(stored.includes(marker)).toBe(false);
      expect(stored.includes(fixture('passport-scan.png').subarray(16, 48))).toBe(false);
    }
    const res = await t
      .http()
      .get(`/v1/organisations/${orgId}/documents/${certificateId}/content`)
      .set(bearer(owner.token))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, fixture('certificate-of-incorporation.pdf'))).toBe(0);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="certificate_of_incorporation-[0-9a-f-]+\.pdf"$/,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('accepts a file of exactly 10 MiB', async () => {
    const pdf = fixture('certificate-of-incorporation.pdf');
    const exact = Buffer.concat([
      pdf.subarray(0, 9),
      Buffer.alloc(10 * 1024 * 1024 - pdf.length, 0x25),
      pdf.subarray(9),
    ]);
    expect(exact.length).toBe(10 * 1024 * 1024);
    const res = await upload(
      t,
      owner.token,
      orgId,
      exact,
      { type: 'shareholder_register' },
      { filename: 'register.pdf', contentType: 'application/pdf' },
    ).expect(201);
    await t.http().delete(`/v1/organisations/${orgId}/documents/${res.body.id}`).set(bearer(owner.token)).expect(204);
  });

  it('takes identifiers as printed (Kosovo, SC 012345, spaced postcodes) and stores them normalised', async () => {
    const scottish = {
      ...ORGANISATION,
      registrationNumber: 'SC 12345',
      registeredAddress: { line1: '2 Quay', city: 'Leith', postcode: 'eh6  6qq', country: 'gb' },
      regulatoryStatus: { type: 'fca_authorised', firmReferenceNumber: '123 456' },
    };
    const created = await t.http().post('/v1/organisations').set(bearer(owner.token)).send(scottish).expect(201);
    expect(created.body).toMatchObject({
      registrationNumber: 'SC012345',
      registeredAddress: { postcode: 'EH6 6QQ', country: 'GB' },
      regulatoryStatus: { firmReferenceNumber: '123456' },
    });
    const other = created.body.id;
    const girobank = { line1: 'Girobank', city: 'Bootle', postcode: 'gir0aa', country: 'GB' };
    const patch = { registrationNumber: 'ni 1234', registeredAddress: girobank };
    const patched = await t.http().patch(`/v1/organisations/${other}`).set(bearer(owner.token)).send(patch);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ registrationNumber: 'NI001234', registeredAddress: { postcode: 'GIR 0AA' } });
    const person = { firstName: 'Arta', lastName: 'Krasniqi', dateOfBirth: '1988-03-21', nationality: 'XK' };
    const people = t.http().post(`/v1/organisations/${other}/people`).set(bearer(owner.token));
    const kosovar = await people.send({ ...person, roles: ['director'] });
    expect(kosovar.status).toBe(201);
    expect(kosovar.body.nationality).toBe('XK');
    const fields = { type: 'driving_licence', personId: kosovar.body.id, documentNumber: 'smith 802030 j99ab' };
    const licence = await upload(t, owner.token, other, pngImage(40, 30, 7), { ...fields, issuingCountry: 'XK' });
    expect(licence.status).toBe(201);
    expect(licence.body).toMatchObject({ documentNumber: 'SMITH802030J99AB', issuingCountry: 'XK' });
  });

  it('refuses nonsense identifiers with a field error and writes nothing', async () => {
    const count = async (table: string) => (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
    const counts = async () => [await count('organisations'), await count('people'), await count('audit_entries')];
    const before = await counts();
    const address = ORGANISATION.registeredAddress;
    const person = { firstName: 'No', lastName: 'Body', dateOfBirth: '1980-01-01', nationality: 'GB' };
    const newOrg = (changes: object) => () =>
      t
        .http()
        .post('/v1/organisations')
        .send({ ...ORGANISATION, ...changes });
    const people = `/v1/organisations/${orgId}/people`;
    const director = { ...person, roles: ['director'] };
    const newPerson = (changes: object) => () =>
      t
        .http()
        .post(people)
        .send({ ...director, ...changes });
    const french = () => t.http().patch(`/v1/organisations/${orgId}`).send({ registrationNumber: 'RCS PARIS 123 456' });
    const postcode = (p: string) => newOrg({ registeredAddress: { ...address, postcode: p } });
    const cases: [string, () => request.Test, string][] = [
      ['HTML in a GB postcode (the issue)', postcode('<b>12345!!'), 'registeredAddress.postcode'],
      ['a US ZIP code for a GB address', postcode('10001'), 'registeredAddress.postcode'],
      ['a GB registration number of words', newOrg({ registrationNumber: 'ACME LTD' }), 'registrationNumber'],
      ['a French-style number PATCHed onto a GB organisation', french, 'registrationNumber'],
      ['nationality UK (not a code)', newPerson({ nationality: 'UK' }), 'nationality'],
      ['a date of birth in the future', newPerson({ dateOfBirth: '2999-01-01' }), 'dateOfBirth'],
      ['30 February', newPerson({ dateOfBirth: '1990-02-30' }), 'dateOfBirth'],
      ['an ISO week date', newPerson({ dateOfBirth: '1980-W01-1' }), 'dateOfBirth'],
    ];
    for (const [name, send, field] of cases) {
      const res = await send().set(bearer(owner.token));
      const fields = (res.body.errors ?? []).map((e: { field: string }) => e.field);
      expect({ name, status: res.status, fields }).toEqual({ name, status: 400, fields: [field] });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(await counts()).toEqual(before);
  });

  it('accepts a phone photo with a motion-photo video after its JPEG end marker, whatever its length', async () => {
    for (const trailer of [512, 4096, 256 * 1024]) {
      const photo = Buffer.concat([
        jpegImage(640, 480),
        Buffer.from('\0\0\0\x18ftypmp42', 'latin1'),
        Buffer.alloc(trailer - 12, 0x5a),
      ]);
      const res = await upload(
        t,
        owner.token,
        orgId,
        photo,
        { type: 'proof_of_address', personId },
        { filename: 'PXL_MP.jpg', contentType: 'image/jpeg' },
      );
      expect({ trailer, status: res.status }).toEqual({ trailer, status: 201 });
      expect(res.body).toMatchObject({ mimeType: 'image/jpeg', size: photo.length });
      await t.http().delete(`/v1/organisations/${orgId}/documents/${res.body.id}`).set(bearer(owner.token)).expect(204);
    }
  });

  it('says why a PDF behind a byte-order mark is refused', async () => {
    const res = await upload(
      t,
      owner.token,
      orgId,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('certificate-of-incorporation.pdf')]),
      { type: 'certificate_of_incorporation' },
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'file', message: expect.stringMatching(/3 bytes before its %PDF- header \(a UTF-8 byte-order mark/) },
    ]);
  });

  it('refuses the upload attack corpus with the right 4xx and keeps nothing', async () => {
    const before = {
      files: storedFiles(t.config.storage.dir).length,
      rows: (await t.dataSource.query(`SELECT count(*)::int AS n FROM documents`))[0].n,
    };
    const oversized = Buffer.concat([
      fixture('certificate-of-incorporation.pdf'),
      Buffer.alloc(10 * 1024 * 1024 + 1 - fixture('certificate-of-incorporation.pdf').length, 0x20),
    ]);
    expect(oversized.length).toBe(10 * 1024 * 1024 + 1);
    const corpus: {
      name: string;
      file: Buffer;
      filename: string;
      contentType?: string;
      fields?: Record<string, string>;
      status: number;
    }[] = [
      {
        name: 'ELF binary named .pdf',
        file: fixture('elf-binary.pdf'),
        filename: 'report.pdf',
        contentType: 'application/pdf',
        status: 415,
      },
      {
        name: 'HTML with a PNG extension',
        file: fixture('html-page.png'),
        filename: 'scan.png',
        contentType: 'image/png',
        status: 415,
      },
      {
        name: 'PNG truncated mid-stream',
        file: fixture('truncated.png'),
        filename: 'scan.png',
        contentType: 'image/png',
        status: 400,
      },
      {
        name: 'PNG with data after IEND',
        file: Buffer.concat([fixture('passport-scan.png'), Buffer.alloc(64)]),
        filename: 'scan.png',
        status: 400,
      },
      {
        name: 'PDF behind a UTF-8 byte-order mark',
        file: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('certificate-of-incorporation.pdf')]),
        filename: 'c.pdf',
        status: 400,
      },
      {
        name: 'PDF with 4 KiB after %%EOF',
        file: Buffer.concat([fixture('certificate-of-incorporation.pdf'), Buffer.alloc(4096, 0x41)]),
        filename: 'c.pdf',
        status: 400,
      },
      { name: 'zero-byte file', file: fixture('empty.pdf'), filename: 'empty.pdf', status: 400 },
      { name: '10 MiB + 1 byte', file: oversized, filename: 'big.pdf', contentType: 'application/pdf', status: 413 },
      {
        name: 'file named ../../etc/passwd',
        file: fixture('certificate-of-incorporation.pdf'),
        filename: '../../etc/passwd',
        status: 400,
      },
      {
        name: 'PDF declared as image/png',
        file: fixture('certificate-of-incorporation.pdf'),
        filename: 'scan.png',
        contentType: 'image/png',
        status: 415,
      },
      {
        name: 'identity document without a person',
        file: fixture('passport-scan.png'),
        filename: 'p.png',
        fields: { type: 'driving_licence' },
        status: 400,
      },
      {
        name: 'unknown field',
        file: fixture('passport-scan.png'),
        filename: 'p.png',
        fields: { type: 'passport', personId: '', admin: 'true' },
        status: 400,
      },
    ];
    const results: Record<string, number> = {};
    for (const c of corpus) {
      const res = await upload(t, owner.token, orgId, c.file, c.fields ?? { type: 'certificate_of_incorporation' }, {
        filename: c.filename,
        contentType: c.contentType,
      }).catch(
        (e: { status?: number; response?: { status: number } }) =>
          e.response ?? { status: -1, headers: {} as Record<string, string> },
      );
      results[c.name] = res.status;
      if (res.status >= 400 && 'headers' in res && res.headers['content-type'])
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(results).toEqual(Object.fromEntries(corpus.map((c) => [c.name, c.status])));
    expect(storedFiles(t.config.storage.dir)).toHaveLength(before.files);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM documents`))[0].n).toBe(before.rows);
  });

  it('submits: 202, status submitted, email received; a second submit is a conflict', async () => {
    const res = await t
      .http()
      .post(`/v1/organisations/${orgId}/verification/submit`)
      .set(bearer(owner.token))
      .expect(202);
    expect(res.body.status).toBe('submitted');
    const verification = await t
      .http()
      .get(`/v1/organisations/${orgId}/verification`)
      .set(bearer(owner.token))
      .expect(200);
    expect(verification.body).toMatchObject({ status: 'submitted', requirements: { currentlyDue: [] } });
    await t.smtp.waitFor((m) => m.to.includes(owner.email) && /received/.test(m.subject));
    await t.http().post(`/v1/organisations/${orgId}/verification/submit`).set(bearer(owner.token)).expect(409);
    // Submitted: no more edits.
    await t
      .http()
      .patch(`/v1/organisations/${orgId}`)
      .set(bearer(owner.token))
      .send({ legalName: 'Changed Ltd' })
      .expect(409);
    await t.http().delete(`/v1/organisations/${orgId}/documents/${passportId}`).set(bearer(owner.token)).expect(409);
    await upload(t, owner.token, orgId, fixture('passport-scan.png'), { type: 'passport', personId }).expect(409);
  });

  it('makes exactly one transition out of two simultaneous submits', async () => {
    const dev = await developer(t, 'race');
    const org = await createOrganisation(t, dev);
    await addPeopleAndDocuments(t, dev, org, {
      director: { firstName: 'Ray', lastName: 'Smith', dateOfBirth: '1980-01-01', nationality: 'GB' },
      identity: { file: fixture('passport-scan.png'), fields: { type: 'passport' } },
      certificate: fixture('certificate-of-incorporation.pdf'),
    });
    const statuses = (
      await Promise.all(
        [1, 2].map(() => t.http().post(`/v1/organisations/${org}/verification/submit`).set(bearer(dev.token))),
      )
    )
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual([202, 409]);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE subject_id = $1 AND action = 'verification.submit'`,
      [org],
    );
    expect(n).toBe(1);
  });

  it('fails loudly instead of serving a flipped byte', async () => {
    const [doc] = await t.dataSource.query(`SELECT storage_key FROM documents WHERE id = $1`, [passportId]);
    const path = join(t.config.storage.dir, doc.storage_key);
    const original = readFileSync(path);
    const tampered = Buffer.from(original);
    tampered[Math.floor(tampered.length / 2)]! ^= 0x01;
    writeFileSync(path, tampered);
    try {
      const outcome = await new Promise<{ status: number; bytes: number; complete: boolean }>((resolve) => {
        request(t.app.getHttpServer())
          .get(`/v1/organisations/${orgId}/documents/${passportId}/content`)
          .set(bearer(owner.token))
          .buffer(true)
          .parse((r, cb) => {
            let bytes = 0;
            r.on('data', (c: Buffer) => (bytes += c.length));
            r.on('end', () => cb(null, { bytes, complete: (r as unknown as { complete: boolean }).complete }));
            r.on('error', () => cb(null, { bytes, complete: false }));
            r.on('aborted', () => cb(null, { bytes, complete: false }));
          })
          .end((err, res) =>
            resolve({
              status: res?.status ?? 0,
              bytes: (res?.body as { bytes: number })?.bytes ?? 0,
              complete: !err && (res?.body as { complete: boolean })?.complete,
            }),
          );
      });
      expect(outcome.complete).toBe(false);
      expect(outcome.bytes).toBeLessThan(fixture('passport-scan.png').length);
    } finally {
      writeFileSync(path, original);
    }
  });

  it('audits a staff member reading a document', async () => {
    const reviewer = await staff(t, 'reviewer');
    await t
      .http()
      .get(`/v1/organisations/${orgId}/documents/${certificateId}/content`)
      .set(bearer(reviewer.token))
      .expect(200);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'document.viewed' AND actor_id = $1 AND subject_id = $2`,
      [reviewer.id, certificateId],
    );
    expect(n).toBe(1);
  });

  it('answers 404 to another organisation’s developer on every route', async () => {
    const outsider = await developer(t, 'kyb-outsider');
    const routes: [method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object][] = [
      ['get', `/v1/organisations/${orgId}/people`],
      [
        'post',
        `/v1/organisations/${orgId}/people`,
        { firstName: 'X', lastName: 'Y', dateOfBirth: '1980-01-01', nationality: 'GB', roles: ['director'] },
      ],
      ['get', `/v1/organisations/${orgId}/people/${personId}`],
      ['patch', `/v1/organisations/${orgId}/people/${personId}`, { firstName: 'Z' }],
      ['delete', `/v1/organisations/${orgId}/people/${personId}`],
      ['get', `/v1/organisations/${orgId}/documents`],
      ['get', `/v1/organisations/${orgId}/documents/${passportId}`],
      ['get', `/v1/organisations/${orgId}/documents/${passportId}/content`],
      ['delete', `/v1/organisations/${orgId}/documents/${passportId}`],
      ['get', `/v1/organisations/${orgId}/verification`],
      ['post', `/v1/organisations/${orgId}/verification/submit`],
    ];
    const statuses = [];
    for (const [method, path, body] of routes) {
      const req = t.http()[method](path).set(bearer(outsider.token));
      statuses.push((body ? await req.send(body) : await req).status);
    }
    statuses.push(
      (await upload(t, outsider.token, orgId, fixture('passport-scan.png'), { type: 'passport', personId })).status,
    );
    expect(statuses).toEqual(new Array(routes.length + 1).fill(404));
  });

  it('still serves every document byte-identical after keys:rotate, with only the new key configured', async () => {
    const cli = spawnEntry(join('src', 'cli', 'keys-rotate.ts'), {
      DATABASE_URL: t.db.url,
      MASTER_KEY: NEW_KEY,
      MASTER_KEY_PREVIOUS: OLD_KEY,
      VAR_DIR: t.config.varDir,
    });
    expect({ code: await cli.exited, output: cli.output() }).toMatchObject({ code: 0 });
    expect(JSON.parse(cli.output().trim().split('\n').pop()!).documents).toBeGreaterThanOrEqual(4);
    const fresh = await startTestApp({ sharing: t, env: { MASTER_KEY: NEW_KEY, GATEHOUSE_ROLE: 'api' } });
    try {
      for (const [id, name] of [
        [passportId, 'passport-scan.png'],
        [certificateId, 'certificate-of-incorporation.pdf'],
      ] as const) {
        const res = await fresh
          .http()
          .get(`/v1/organisations/${orgId}/documents/${id}/content`)
          .set(bearer(owner.token))
          .buffer(true)
          .parse((r, cb) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () => cb(null, Buffer.concat(chunks)));
          });
        expect(res.status).toBe(200);
        expect(Buffer.compare(res.body as Buffer, fixture(name))).toBe(0);
      }
      // The files themselves were not rewritten.
      const [doc] = await t.dataSource.query(`SELECT storage_key FROM documents WHERE id = $1`, [certificateId]);
      expect(statSync(join(t.config.storage.dir, doc.storage_key)).mtimeMs).toBeLessThan(Date.now() - 50);
    } finally {
      await fresh.close();
    }
  });
});
