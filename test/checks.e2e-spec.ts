import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChecksService } from '../src/kyc/checks/checks.service';
import { JobQueueService } from '../src/queue/job-queue.service';
import { JobName, JobPayload, jobIdFor } from '../src/queue/queue.registry';
import { Actor, bearer, createOrganisation, developer, staff } from './harness/actors';
import { addPeopleAndDocuments, clearReviewQueue, fixture, submit } from './harness/cases';
import { pngImage } from './harness/images';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';

const PDF_WITH_JAVASCRIPT = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nxref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000110 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n160\n%%EOF\n',
  'latin1',
);

interface Case {
  id: string;
  personId: string;
}

describe('automated checks', () => {
  let t: TestApp;
  let register: Server;
  let registerCalls = 0;
  let listDir: string;
  let listCopy: string;

  beforeAll(async () => {
    // A stand-in for the FCA register's HTTP API.
    register = createServer((req, res) => {
      registerCalls++;
      const frn = /\/firms\/(\d+)$/.exec(req.url ?? '')?.[1];
      if (frn === '123456')
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ name: 'Acme Payments Ltd', status: 'Authorised' }));
      if (frn === '7654321') {
        const firm = { name: 'Northwind Open Banking Limited', status: 'Registered', companiesHouseNumber: '09876543' };
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(firm));
      }
      if (frn === '999999') return void res.writeHead(503).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => register.listen(0, '127.0.0.1', () => r()));
    listDir = mkdtempSync(join(tmpdir(), 'gatehouse-sanctions-'));
    listCopy = join(listDir, 'ConList.csv');
    copyFileSync(join(__dirname, '..', 'src', 'kyc', 'checks', 'sanctions', 'hmt-sample.csv'), listCopy);
    t = await startTestApp({
      env: {
        FCA_REGISTER_URL: `http://127.0.0.1:${(register.address() as AddressInfo).port}`,
        SANCTIONS_LIST_PATH: listCopy,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => register.close(r));
    rmSync(listDir, { recursive: true, force: true });
  });

  interface PrepareOptions {
    director?: { firstName: string; lastName: string; dateOfBirth: string; nationality: string };
    regulated?: string;
    legalName?: string;
    registrationNumber?: string;
    certificate?: Buffer;
    passport?: Buffer;
  }

  /** A case ready to submit: the organisation, its director with a passport (MRZ specimen) and a certificate. */
  async function prepare(dev: Actor, options: PrepareOptions = {}): Promise<Case> {
    const org = await createOrganisation(t, dev, {
      ...(options.legalName ? { legalName: options.legalName } : {}),
      ...(options.registrationNumber ? { registrationNumber: options.registrationNumber } : {}),
      regulatoryStatus: options.regulated
        ? { type: 'fca_authorised', firmReferenceNumber: options.regulated }
        : { type: 'unregulated' },
    });
    const personId = await addPeopleAndDocuments(t, dev, org, {
      director: options.director ?? {
        firstName: 'Anna Maria',
        lastName: 'Eriksson',
        dateOfBirth: '1974-08-12',
        nationality: 'SE',
      },
      identity: {
        file: options.passport ?? fixture('passport-scan.png'),
        fields: { type: 'passport', documentNumber: 'L898902C3', expiresOn: '2031-04-15', mrz: MRZ },
      },
      certificate: options.certificate ?? fixture('certificate-of-incorporation.pdf'),
    });
    return { id: org, personId };
  }

  const submitAndWait = async (dev: Actor, org: string) => {
    await submit(t, dev, org);
    return eventually(
      async () => {
        const v = await t.http().get(`/v1/organisations/${org}/verification`).set(bearer(dev.token));
        return v.body.status === 'pending_review' ? v.body : undefined;
      },
      30_000,
      'pending_review',
    );
  };

  const stored = (org: string) =>
    t.dataSource.query(
      `SELECT subject_type, name, result, detail FROM checks WHERE organisation_id = $1 ORDER BY subject_type, name`,
      [org],
    ) as Promise<{ subject_type: string; name: string; result: string; detail: Record<string, unknown> }[]>;

  it('takes a clean submission to pending_review with low risk and every check', async () => {
    // The MRZ specimen is valid but expired in 2012: use a person and form that agree, and expect the expiry findings.
    const dev = await developer(t, 'clean');
    const c = await prepare(dev);
    const verification = await submitAndWait(dev, c.id);
    const checks = await stored(c.id);
    expect(checks.map((x) => `${x.subject_type}.${x.name}`).sort()).toEqual(
      [
        'document.duplicate',
        'document.duplicate',
        'document.expiry',
        'document.integrity',
        'document.integrity',
        'document.mrz',
        'organisation.registry',
        'organisation.sanctions',
      ].sort(),
    );
    expect(checks.find((x) => x.name === 'sanctions')!.result).toBe('pass');
    expect(checks.filter((x) => x.name === 'integrity').map((x) => x.result)).toEqual(['pass', 'pass']);
    // Developers never see sanctions screening.
    expect(verification.checks.map((x: { name: string }) => x.name)).not.toContain('sanctions');
    // The MRZ's own expiry (2012) disagrees with the form's 2031: reviewers are told.
    expect(checks.find((x) => x.name === 'mrz')!.result).toBe('fail');
    expect(verification.riskLevel).toBe('high');
  });

  it('reaches low risk when every check passes', async () => {
    const dev = await developer(t, 'lowrisk');
    const org = await createOrganisation(t, dev, {
      legalName: 'Plain Widgets Ltd',
      registrationNumber: 'SC123456',
      registeredAddress: { line1: '2 Quay', city: 'Leith', postcode: 'EH6 6QQ', country: 'GB' },
    });
    const licence = {
      type: 'driving_licence',
      documentNumber: 'SMITH802030J99AB',
      issuingCountry: 'GB',
      expiresOn: '2034-01-01',
    };
    await addPeopleAndDocuments(t, dev, org, { identity: { file: pngImage(120, 80, 42), fields: licence } });
    const verification = await submitAndWait(dev, org);
    const checks = await stored(org);
    expect(checks.every((x) => x.result === 'pass')).toBe(true);
    expect(verification.riskLevel).toBe('low');
    expect(verification.checks.length).toBeGreaterThan(0);
  });

  it('makes a submission high risk when its director is on the sanctions list', async () => {
    const dev = await developer(t, 'sanctioned');
    const c = await prepare(dev, {
      director: { firstName: 'Dmitriy', lastName: 'Olafsson-Kovac', dateOfBirth: '1962-05-05', nationality: 'RU' },
    });
    const verification = await submitAndWait(dev, c.id);
    expect(verification.riskLevel).toBe('high');
    const sanctions = (await stored(c.id)).find((x) => x.name === 'sanctions')!;
    expect(sanctions.result).toBe('fail');
    expect(JSON.stringify(sanctions.detail)).toMatch(/LAFSSON/);
    expect(JSON.stringify(sanctions.detail)).toMatch(/"groupId":"90001"/);
  });

  it('fails integrity for a PDF with JavaScript, and flags the same passport in another organisation', async () => {
    const dev = await developer(t, 'activepdf');
    const c = await prepare(dev, { certificate: PDF_WITH_JAVASCRIPT });
    await submitAndWait(dev, c.id);
    const checks = await stored(c.id);
    const integrity = checks.filter((x) => x.name === 'integrity');
    expect(integrity.map((x) => x.result).sort()).toEqual(['fail', 'pass']);
    expect(JSON.stringify(integrity.find((x) => x.result === 'fail')!.detail)).toMatch(/JavaScript|OpenAction/);
    // The passport scan (same bytes, same number) was already used by the earlier organisations.
    const duplicate = checks.find((x) => x.name === 'duplicate' && x.result === 'fail')!;
    expect(duplicate.detail.otherCases).toBeDefined();
    const devView = await t.http().get(`/v1/organisations/${c.id}/verification`).set(bearer(dev.token));
    expect(JSON.stringify(devView.body)).not.toMatch(/otherCases|organisationName/);
  });

  it('checks the firm reference number through the register, and states an error when the register never answers', async () => {
    const dev = await developer(t, 'regulated');
    const ok = await prepare(dev, { regulated: '123456' });
    await submitAndWait(dev, ok.id);
    const registry = (await stored(ok.id)).find((x) => x.name === 'registry')!;
    expect(registry).toMatchObject({ result: 'pass' });
    expect(JSON.stringify(registry.detail)).toMatch(/Authorised/);

    const dev2 = await developer(t, 'regdown');
    const down = await prepare(dev2, { regulated: '999999' });
    const callsBefore = registerCalls;
    const verification = await submitAndWait(dev2, down.id);
    const failed = (await stored(down.id)).find((x) => x.name === 'registry')!;
    expect(failed.result).toBe('error');
    expect(String(failed.detail.reason)).toMatch(/could not run after several attempts.*503/);
    // Every attempt asked the register: the job was retried before giving up.
    expect(registerCalls - callsBefore).toBeGreaterThanOrEqual(4);
    expect(verification.riskLevel).not.toBe('low');
  }, 60_000);

  it('fails the registry check when the firm reference number belongs to another firm, and shows both names to the reviewer', async () => {
    const registry = async (c: Case) => (await stored(c.id)).find((x) => x.name === 'registry')!;
    const dev = await developer(t, 'frnthief');
    const reviewer = await staff(t, 'reviewer');
    const cases = {
      // The issue: FRN 123456 is Acme Payments Ltd's.
      thief: await prepare(dev, {
        regulated: '123456',
        legalName: 'Bughunt Widgets Ltd',
        registrationNumber: '87654321',
      }),
      // A name close to the register's, but another firm.
      lookalike: await prepare(dev, { regulated: '123456', legalName: 'Acme Payments Holdings Ltd' }),
      // The right name, but the register records another Companies House number.
      otherCompany: await prepare(dev, {
        regulated: '7654321',
        legalName: 'Northwind Open Banking Ltd',
        registrationNumber: '12345678',
      }),
      // Ordinary variation of the register's name (case, Limited, "The"): the same firm.
      same: await prepare(dev, { regulated: '123456', legalName: 'THE ACME PAYMENTS LIMITED' }),
    };
    const verification: Record<string, { riskLevel: string }> = {};
    for (const [label, c] of Object.entries(cases)) verification[label] = await submitAndWait(dev, c.id);

    const thief = await registry(cases.thief);
    expect(thief).toMatchObject({
      result: 'fail',
      detail: {
        firmConfirmed: false,
        mismatches: ['name'],
        firm: { name: 'Acme Payments Ltd' },
        organisation: { legalName: 'Bughunt Widgets Ltd' },
      },
    });
    expect(thief.detail.reason).toBe(
      'the register gives firm reference number 123456 to "Acme Payments Ltd", not to "Bughunt Widgets Ltd"',
    );
    expect(verification.thief.riskLevel).toBe('high');
    // Review opens the task when kyc's announcement reaches it.
    const [task] = await eventually(
      async () => {
        const rows = await t.dataSource.query(`SELECT id FROM review_tasks WHERE organisation_id = $1`, [
          cases.thief.id,
        ]);
        return rows.length ? rows : undefined;
      },
      15_000,
      'the review task',
    );
    const view = await t.http().get(`/v1/review/tasks/${task.id}`).set(bearer(reviewer.token)).expect(200);
    const shown = view.body.organisation.checks.find((x: { name: string }) => x.name === 'registry');
    expect(shown).toMatchObject({
      result: 'fail',
      reason: expect.stringContaining('"Acme Payments Ltd", not to "Bughunt Widgets Ltd"'),
    });

    expect(await registry(cases.lookalike)).toMatchObject({ result: 'fail', detail: { mismatches: ['name'] } });
    const other = await registry(cases.otherCompany);
    expect(other).toMatchObject({
      result: 'fail',
      detail: { mismatches: ['companies_house_number'], firm: { companiesHouseNumber: '09876543' } },
    });
    expect(other.detail.reason).toMatch(/Companies House number is 09876543, the organisation's 12345678/);
    expect(verification.otherCompany.riskLevel).toBe('high');

    expect(await registry(cases.same)).toMatchObject({
      result: 'pass',
      detail: { firmConfirmed: true, firm: { frn: '123456' } },
    });
  }, 90_000);

  it('refuses people and organisation names with invisible characters, and still screens such a name already stored', async () => {
    const dev = await developer(t, 'invisible');
    const c = await prepare(dev);
    const people = () =>
      t.dataSource.query(`SELECT first_name, last_name FROM people WHERE organisation_id = $1 ORDER BY created_at`, [
        c.id,
      ]);
    const before = await people();
    const director = { firstName: 'Anneka', dateOfBirth: '1975-11-07', nationality: 'DE', roles: ['director'] };
    for (const lastName of ['Vorn\u00ADholt', 'Vorn\u200Dholt', '\u202EVornholt', 'Vorn\u2060holt']) {
      const res = await t
        .http()
        .post(`/v1/organisations/${c.id}/people`)
        .set(bearer(dev.token))
        .send({ ...director, lastName })
        .expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toEqual([
        {
          field: 'lastName',
          message: expect.stringMatching(/invisible or control character \(U\+[0-9A-F]{4} at character \d+\)/),
        },
      ]);
    }
    await t
      .http()
      .patch(`/v1/organisations/${c.id}`)
      .set(bearer(dev.token))
      .send({ legalName: 'Acme Pay\uFEFFments Ltd' })
      .expect(400);
    expect(await people()).toEqual(before);
    const [org] = await t.dataSource.query(`SELECT legal_name FROM organisations WHERE id = $1`, [c.id]);
    expect(org.legal_name).toBe('Acme Payments Ltd');

    // A name stored before the edge refused them (the director): the screening still sees through it.
    await t.dataSource.query(
      `UPDATE people SET first_name = 'Anneka', last_name = 'Vorn\u00ADholt', date_of_birth = '1975-11-07', nationality = 'DE' WHERE id = $1`,
      [c.personId],
    );
    await submitAndWait(dev, c.id);
    const sanctions = (await stored(c.id)).find((x) => x.name === 'sanctions')!;
    expect(sanctions.result).toBe('fail');
    expect(JSON.stringify(sanctions.detail)).toMatch(/"groupId":"90002"/);
  }, 60_000);

  it('screens a director whose compound name is written joined while the list splits it', async () => {
    const dev = await developer(t, 'compound');
    const c = await prepare(dev, {
      director: { firstName: 'Abdulwahid', lastName: 'Qorbanzadeh', dateOfBirth: '1968-04-03', nationality: 'AF' },
    });
    const verification = await submitAndWait(dev, c.id);
    const sanctions = (await stored(c.id)).find((x) => x.name === 'sanctions')!;
    expect(sanctions.result).toBe('fail');
    expect(JSON.stringify(sanctions.detail)).toMatch(/"groupId":"90011"/);
    expect(verification.riskLevel).toBe('high');
  });

  it('re-running a check job changes nothing', async () => {
    const dev = await developer(t, 'rerun');
    const c = await prepare(dev);
    await submitAndWait(dev, c.id);
    const before = await t.dataSource.query(
      `SELECT id, result, detail, updated_at FROM checks WHERE organisation_id = $1 ORDER BY id`,
      [c.id],
    );
    const checks = t.app.get(ChecksService);
    // Put the case back in `submitted` as a stale job would find it, then run its jobs again.
    await t.dataSource.query(`UPDATE organisations SET verification_status = 'submitted' WHERE id = $1`, [c.id]);
    const [{ submission_count: submission }] = await t.dataSource.query(
      `SELECT submission_count FROM organisations WHERE id = $1`,
      [c.id],
    );
    await checks.runOrganisation(c.id, submission, false);
    for (const { id } of await t.dataSource.query(`SELECT id FROM documents WHERE organisation_id = $1`, [c.id]))
      await checks.runDocument(id, submission, false);
    const after = await t.dataSource.query(
      `SELECT id, result, detail, updated_at FROM checks WHERE organisation_id = $1 ORDER BY id`,
      [c.id],
    );
    expect(after).toEqual(before);
  });

  it('re-screens approved organisations against a changed list and suspends on a new hit', async () => {
    const dev = await developer(t, 'rescreen');
    const c = await prepare(dev, {
      director: { firstName: 'Petronella', lastName: 'Quarmby-Fitch', dateOfBirth: '1971-03-09', nationality: 'GB' },
    });
    await submitAndWait(dev, c.id);
    // Approved as a reviewer would leave it: the first review task is closed.
    await eventually(
      async () =>
        (await t.dataSource.query(`SELECT 1 FROM review_tasks WHERE organisation_id = $1`, [c.id])).length === 1,
      15_000,
      'the first review task',
    );
    await t.dataSource.query(
      `UPDATE organisations SET verification_status = 'approved', approved_at = now() WHERE id = $1`,
      [c.id],
    );
    await t.dataSource.query(`UPDATE review_tasks SET status = 'done' WHERE organisation_id = $1`, [c.id]);
    const checks = t.app.get(ChecksService);
    expect((await checks.rescreenApproved()).hits).not.toContain(c.id);

    // The list gains a designation of this director; the index reloads the file on its own.
    const rows = readFileSync(listCopy, 'utf8').trimEnd().split(/\r?\n/);
    // Columns as in the HMT header: names and titles (0-9), DOB (10), … Group Type (28) … Group ID (35).
    const added = [
      'QUARMBY-FITCH',
      'Petronella',
      ...new Array(8).fill(''),
      '09/03/1971',
      ...new Array(17).fill(''),
      'Individual',
      'Primary name',
      '',
      'Test regime',
      '01/11/2026',
      '01/11/2026',
      '01/11/2026',
      '99999',
    ];
    expect(added).toHaveLength(36);
    writeFileSync(listCopy, `${rows.join('\r\n')}\r\n${added.join(',')}\r\n`);
    const result = await eventually(
      async () => {
        const r = await checks.rescreenApproved();
        return r.hits.includes(c.id) ? r : undefined;
      },
      15_000,
      'a re-screening hit after the list changed',
    );
    expect(result.hits).toContain(c.id);
    const [org] = await t.dataSource.query(`SELECT verification_status FROM organisations WHERE id = $1`, [c.id]);
    expect(org.verification_status).toBe('suspended');
    const [audit] = await t.dataSource.query(
      `SELECT actor_id, after FROM audit_entries WHERE subject_id = $1 AND action = 'verification.suspend'`,
      [c.id],
    );
    expect(audit.actor_id).toBe('sanctions-rescreen');

    // The hit opens a high-risk review task; a reviewer who clears it reinstates the organisation.
    const [task] = await eventually(
      async () => {
        const rows = await t.dataSource.query(
          `SELECT id, risk_level FROM review_tasks WHERE organisation_id = $1 AND status = 'pending'`,
          [c.id],
        );
        return rows.length ? rows : undefined;
      },
      15_000,
      'the re-screening review task',
    );
    expect(task.risk_level).toBe('high');
    // Earlier cases leave the queue (closed, so the every-minute repair does not open them again).
    const pendingElsewhere = `SELECT organisation_id FROM review_tasks WHERE status = 'pending' AND id <> $1`;
    const others = (await t.dataSource.query(pendingElsewhere, [task.id])) as { organisation_id: string }[];
    await clearReviewQueue(
      t,
      others.map((o) => o.organisation_id),
    );
    const reviewer = await staff(t, 'senior_reviewer');
    const claimed = await t.http().post('/v1/review/tasks/claim').set(bearer(reviewer.token)).expect(200);
    expect(claimed.body.id).toBe(task.id);
    await t
      .http()
      .post(`/v1/review/tasks/${task.id}/decision`)
      .set(bearer(reviewer.token))
      .send({
        decision: 'approve',
        reasonCodes: ['identity_confirmed'],
        note: 'Different person: date of birth and nationality differ.',
      })
      .expect(200);
    const [after] = await t.dataSource.query(`SELECT verification_status FROM organisations WHERE id = $1`, [c.id]);
    expect(after.verification_status).toBe('approved');
  }, 60_000);

  it('still checks a submission whose jobs never reached Redis: the dispatcher finds it in PostgreSQL', async () => {
    const dev = await developer(t, 'lostjobs');
    const c = await prepare(dev);
    // As if the API committed the submission and crashed before enqueueing anything.
    await t.dataSource.query(
      `UPDATE organisations SET verification_status = 'submitted', submission_count = 1, submitted_at = now() - interval '5 seconds' WHERE id = $1`,
      [c.id],
    );
    await eventually(
      async () =>
        (await t.dataSource.query(`SELECT verification_status FROM organisations WHERE id = $1`, [c.id]))[0]
          .verification_status === 'pending_review',
      20_000,
      'pending_review via the dispatcher',
    );
  }, 30_000);

  describe('still checks a submission whose check job failed for good (PostgreSQL down through its attempts)', () => {
    /** Leaves a job of that id in BullMQ's failed set: it is given a payload that fails its one attempt. */
    async function failedForGood<N extends JobName>(name: N, payload: JobPayload<N>, failing: JobPayload<N>) {
      const jobs = t.app.get(JobQueueService);
      const jobId = await jobs.enqueue(name, failing, { jobId: jobIdFor(name, payload), attempts: 1 });
      const failed = async () => (await jobs.queueFor(name).getJob(jobId))?.isFailed();
      await eventually(failed, 15_000, `job ${jobId} failed`);
    }
    const reviewed = async (org: string) => {
      const sql = `SELECT verification_status FROM organisations WHERE id = $1`;
      const [row] = (await t.dataSource.query(sql, [org])) as { verification_status: string }[];
      return row?.verification_status === 'pending_review';
    };
    // As if the API committed the submission and its jobs then failed every attempt.
    const submittedBehindTheWorkers = (org: string) =>
      t.dataSource.query(
        `UPDATE organisations SET verification_status = 'submitted', submission_count = 1,
                submitted_at = now() - interval '5 seconds' WHERE id = $1`,
        [org],
      );

    it('the organisation check', async () => {
      const c = await prepare(await developer(t, 'failed-org-job'));
      const failing = { organisationId: 'not-a-uuid', submission: 1 };
      await failedForGood(JobName.CheckOrganisation, { organisationId: c.id, submission: 1 }, failing);
      await submittedBehindTheWorkers(c.id);
      await eventually(() => reviewed(c.id), 20_000, 'pending_review via the dispatcher');
    }, 30_000);

    it('a document check', async () => {
      const c = await prepare(await developer(t, 'failed-doc-job'));
      const sql = `SELECT id FROM documents WHERE organisation_id = $1 ORDER BY id LIMIT 1`;
      const [doc] = (await t.dataSource.query(sql, [c.id])) as { id: string }[];
      const failing = { documentId: 'not-a-uuid', submission: 1 };
      await failedForGood(JobName.CheckDocument, { documentId: doc!.id, submission: 1 }, failing);
      await submittedBehindTheWorkers(c.id);
      await eventually(() => reviewed(c.id), 20_000, 'pending_review via the dispatcher');
    }, 30_000);
  });
});
