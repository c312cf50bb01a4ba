import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../../audit/actor';
import { openSecret } from '../../common/crypto/master-key';
import { Organisation } from '../../organisations/organisation.entity';
import { OrganisationRecordsService } from '../../organisations/organisation-records.service';
import { JobOutboxService } from '../../queue/job-outbox';
import { JobQueueService } from '../../queue/job-queue.service';
import { JobName } from '../../queue/queue.registry';
import { decryptStream, unwrapDataKey } from '../documents/crypto/document-cipher';
import { DocumentVault } from '../documents/document-storage.provider';
import { IDENTITY_DOCUMENT_TYPES, KybDocument } from '../documents/document.entity';
import { Person } from '../people/person.entity';
import { VerificationService } from '../verification/verification.service';
import { CheckOutcome, CheckRecord } from './check.entity';
import { FIRM_REGISTER } from './checks.tokens';
import { FirmRecord, FirmRegister } from './registry/firm-register';
import { CheckResult, checkResult } from './rules/check-result';
import { checkExpiry } from './rules/expiry';
import { firmMismatches } from './rules/firm-identity';
import { checkIntegrity } from './rules/integrity';
import { checkMrz } from './rules/mrz';
import { checkFirmReferenceFormat, checkRegistrationNumber } from './rules/registry-format';
import { riskLevel } from './rules/risk.rules';
import { SanctionsService } from './sanctions.service';

type Subject = { type: 'organisation' | 'document'; id: string };

/** The checks a document gets: every file is checked for integrity and reuse; identity documents also for expiry and, with an MRZ, the MRZ. */
export function documentCheckNames(doc: Pick<KybDocument, 'type' | 'mrz'>): string[] {
  const identity = (IDENTITY_DOCUMENT_TYPES as readonly string[]).includes(doc.type);
  return ['integrity', 'duplicate', ...(identity ? ['expiry'] : []), ...(identity && doc.mrz ? ['mrz'] : [])];
}
export const ORGANISATION_CHECK_NAMES = ['sanctions', 'registry'];

/** Who suspends on a re-screening hit; review opens a kyb task for these suspensions (and not for staff ones). */
export const RESCREEN_ACTOR = { type: 'system', id: 'sanctions-rescreen' } as const satisfies Actor;

class CheckCouldNotRun extends Error {}

/**
 * Runs the automated checks of a submission and moves it to review when the last result is in.
 * Results are upserted by (organisation, submission, subject, name) and computed as of the
 * submission time, so re-running a job stores the same thing again.
 */
@Injectable()
export class ChecksService {
  private readonly logger = new Logger(ChecksService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly vault: DocumentVault,
    private readonly verification: VerificationService,
    private readonly sanctions: SanctionsService,
    private readonly jobs: JobQueueService,
    @Inject(FIRM_REGISTER) private readonly register: FirmRegister,
    private readonly announcements: JobOutboxService,
  ) {}

  /**
   * Enqueues the jobs of every submission still waiting for checks; deterministic ids make repeats
   * no-ops, and a job that failed for good (PostgreSQL down through its attempts) is replaced.
   */
  async dispatchPending(): Promise<number> {
    // Submissions normally enqueue their own jobs; this is the safety net, so it only looks at cases
    // that have been waiting a little while.
    const waiting = await this.organisations.submittedBefore(2);
    if (waiting.length === 0) return 0;
    const sql = `SELECT id, organisation_id FROM documents WHERE organisation_id = ANY($1::uuid[])`;
    const docs = (await this.dataSource.query(sql, [waiting.map((o) => o.id)])) as {
      id: string;
      organisation_id: string;
    }[];
    await Promise.all(
      waiting.flatMap(({ id, submissionCount: submission }) => [
        this.jobs.enqueueReplacingFailed(JobName.CheckOrganisation, { organisationId: id, submission }),
        ...docs
          .filter((d) => d.organisation_id === id)
          .map((d) => this.jobs.enqueueReplacingFailed(JobName.CheckDocument, { documentId: d.id, submission })),
      ]),
    );
    return waiting.length;
  }

  async runDocument(documentId: string, submission: number, lastAttempt: boolean): Promise<void> {
    const doc = await this.dataSource.getRepository(KybDocument).findOneBy({ id: documentId });
    if (!doc) return;
    const org = await this.current(doc.organisationId, submission);
    if (!org) return;
    const asOf = org.submittedAt ?? new Date();
    const person = doc.personId
      ? await this.dataSource.getRepository(Person).findOneBy({ id: doc.personId, organisationId: org.id })
      : null;
    const results = await this.runEach(documentCheckNames(doc), lastAttempt, async (name) => {
      switch (name) {
        case 'integrity':
          return checkIntegrity(await this.readDocument(doc), doc.mimeType);
        case 'duplicate':
          return this.duplicateCheck(doc);
        case 'expiry':
          return checkExpiry(doc.expiresOn, asOf);
        case 'mrz':
          return this.mrzCheck(doc, person, asOf);
        default:
          throw new Error(`unknown document check ${name}`);
      }
    });
    await this.store(org, { type: 'document', id: doc.id }, results);
    await this.completeIfDone(org.id, submission);
  }

  /**
   * Compares the document's MRZ (unsealed only here) with the person it names and the form's fields.
   * Fails when the document names no person of this organisation.
   */
  private mrzCheck(doc: KybDocument, person: Person | null, asOf: Date): CheckResult {
    if (!person)
      return checkResult('mrz', 'fail', 'the document names no person of this organisation to compare the MRZ with');
    const mrz = openSecret(this.vault.masterKey(), doc.mrz!, `mrz:${doc.id}`);
    return checkMrz(
      {
        mrz,
        person: {
          firstName: person.firstName,
          lastName: person.lastName,
          dateOfBirth: person.dateOfBirth,
          nationality: person.nationality,
        },
        form: {
          documentNumber: doc.documentNumber ?? undefined,
          expiresOn: doc.expiresOn ?? undefined,
          issuingCountry: doc.issuingCountry ?? undefined,
        },
      },
      asOf,
    );
  }

  async runOrganisation(organisationId: string, submission: number, lastAttempt: boolean): Promise<void> {
    const org = await this.current(organisationId, submission);
    if (!org) return;
    const results = await this.runEach(ORGANISATION_CHECK_NAMES, lastAttempt, async (name) =>
      name === 'sanctions' ? this.sanctionsCheck(org) : this.registryCheck(org),
    );
    await this.store(org, { type: 'organisation', id: org.id }, results);
    await this.completeIfDone(org.id, submission);
  }

  /** When every expected check of the submission has a result: risk level, then pending_review, and review is told. */
  async completeIfDone(organisationId: string, submission: number): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const org = await this.organisations.lockForUpdate(m, organisationId);
      if (!org || org.verificationStatus !== 'submitted' || org.submissionCount !== submission) return false;
      const docs = await m.getRepository(KybDocument).find({ where: { organisationId } });
      const expected = [
        ...ORGANISATION_CHECK_NAMES.map((n) => `organisation:${organisationId}:${n}`),
        ...docs.flatMap((d) => documentCheckNames(d).map((n) => `document:${d.id}:${n}`)),
      ];
      const stored = await m.getRepository(CheckRecord).find({ where: { organisationId, submission } });
      const have = new Set(stored.map((c) => `${c.subjectType}:${c.subjectId}:${c.name}`));
      if (!expected.every((k) => have.has(k))) return false;
      const sanctionsHit = stored.some((c) => c.name === 'sanctions' && c.result === 'fail');
      const risk = riskLevel({
        checks: stored.map((c) => ({ name: c.name, result: c.result, detail: c.detail })),
        sanctionsHit,
        regulatoryStatus: org.regulatoryStatus.type,
      });
      await this.organisations.updateVerificationRecord(m, org, { riskLevel: risk.level });
      await this.verification.transition(m, org, 'checks_completed', { type: 'system', id: 'checks' }, undefined, {
        riskLevel: risk.level,
        riskReasons: risk.reasons,
      });
      // Review opens the task: announced in this transaction, so it happens if and only if this commits.
      await this.announcements.enqueue(m, JobName.ReviewKybCase, {
        organisationId: org.id,
        submission: org.submissionCount,
      });
      return true;
    });
  }

  /** Daily: approved organisations against the current list; a new hit suspends them for review. */
  async rescreenApproved(): Promise<{ screened: number; hits: string[] }> {
    const orgs = await this.organisations.withVerificationStatus('approved');
    const hits: string[] = [];
    for (const org of orgs) {
      const result = await this.sanctionsCheck(org);
      if (result.result !== 'fail') continue;
      hits.push(org.id);
      await this.dataSource.transaction(async (m) => {
        const locked = await this.organisations.lockForUpdate(m, org.id);
        if (locked?.verificationStatus !== 'approved') return;
        await this.organisations.updateVerificationRecord(m, locked, { riskLevel: 'high' });
        const details = { reason: 'sanctions re-screening hit', matches: result.detail.matches };
        await this.verification.transition(m, locked, 'suspend', RESCREEN_ACTOR, undefined, details);
        // A reviewer decides: approve reinstates, reject keeps it suspended.
        await this.announcements.enqueue(m, JobName.ReviewKybCase, {
          organisationId: locked.id,
          submission: locked.submissionCount,
        });
      });
    }
    return { screened: orgs.length, hits };
  }

  private async current(organisationId: string, submission: number): Promise<Organisation | undefined> {
    const org = await this.organisations.find(organisationId);
    // A job from an earlier submission, or for a case that already moved on, has nothing to do.
    if (!org || org.submissionCount !== submission || org.verificationStatus !== 'submitted') return undefined;
    return org;
  }

  /**
   * Runs every check; one that throws is retried by BullMQ with the others, and on the last attempt
   * is recorded as `error` with the reason, so the case still reaches review.
   */
  private async runEach(
    names: string[],
    lastAttempt: boolean,
    run: (name: string) => Promise<CheckResult>,
  ): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    const failures: string[] = [];
    for (const name of names) {
      try {
        results.push(await run(name));
      } catch (e) {
        const reason = (e as Error).message;
        if (!lastAttempt) failures.push(`${name}: ${reason}`);
        else
          results.push({
            name,
            result: 'error',
            detail: { reason: `the check could not run after several attempts: ${reason}` },
          });
      }
    }
    if (failures.length) throw new CheckCouldNotRun(failures.join('; '));
    return results;
  }

  private async store(org: Organisation, subject: Subject, results: CheckResult[]): Promise<void> {
    for (const r of results) {
      await this.dataSource.query(
        `INSERT INTO checks (organisation_id, submission, subject_type, subject_id, name, result, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT ON CONSTRAINT checks_subject_name_key DO UPDATE SET result = EXCLUDED.result, detail = EXCLUDED.detail, updated_at = now()
         WHERE checks.result IS DISTINCT FROM EXCLUDED.result OR checks.detail IS DISTINCT FROM EXCLUDED.detail`,
        [
          org.id,
          org.submissionCount,
          subject.type,
          subject.id,
          r.name,
          r.result as CheckOutcome,
          JSON.stringify(r.detail),
        ],
      );
    }
  }

  private async readDocument(doc: KybDocument): Promise<Buffer> {
    const dataKey = unwrapDataKey(doc.wrappedKey, this.vault.masterKey(), doc.id);
    const chunks: Buffer[] = [];
    const source = (await this.vault.storage.get(doc.storageKey)).pipe(
      decryptStream({ documentId: doc.id, organisationId: doc.organisationId, dataKey }),
    );
    for await (const chunk of source) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private async duplicateCheck(doc: KybDocument): Promise<CheckResult> {
    const rows = (await this.dataSource.query(
      `SELECT d.id, d.organisation_id, (d.sha256 = $2) AS same_file
         FROM documents d
        WHERE d.organisation_id <> $1
          AND (d.sha256 = $2 OR ($3::text IS NOT NULL AND d.document_number = $3 AND d.issuing_country IS NOT DISTINCT FROM $4::text))
        ORDER BY d.created_at LIMIT 5`,
      [doc.organisationId, doc.sha256, doc.documentNumber, doc.issuingCountry],
    )) as { id: string; organisation_id: string; same_file: boolean }[];
    if (rows.length === 0)
      return {
        name: 'duplicate',
        result: 'pass',
        detail: { reason: 'no other organisation has used this file or document number' },
      };
    const names = await this.organisations.legalNames(rows.map((r) => r.organisation_id));
    return {
      name: 'duplicate',
      result: 'fail',
      detail: {
        reason: rows[0]!.same_file
          ? 'the same file was uploaded by another organisation'
          : 'the same document number and issuing country are used by another organisation',
        // For reviewers only: which other case. Developers never see this detail.
        otherCases: rows.map((r) => ({
          organisationId: r.organisation_id,
          organisationName: names.get(r.organisation_id) ?? null,
          documentId: r.id,
          sameFile: r.same_file,
        })),
      },
    };
  }

  private async sanctionsCheck(org: Organisation): Promise<CheckResult> {
    const people = await this.dataSource.getRepository(Person).find({ where: { organisationId: org.id } });
    const subjects = [
      { subject: 'organisation.legal_name', name: org.legalName, kind: 'organisation' as const },
      ...(org.tradingName
        ? [{ subject: 'organisation.trading_name', name: org.tradingName, kind: 'organisation' as const }]
        : []),
      ...people.map((p) => ({
        subject: `person.${p.id}`,
        name: `${p.firstName} ${p.lastName}`,
        kind: 'person' as const,
        dateOfBirth: p.dateOfBirth,
        nationality: p.nationality,
      })),
    ];
    const screened = subjects.map((s) => ({ subject: s.subject, ...this.sanctions.screen(s) }));
    const hits = screened.filter((s) => s.hit);
    return {
      name: 'sanctions',
      result: hits.length ? 'fail' : 'pass',
      detail: {
        reason: hits.length
          ? `${hits.length} possible sanctions ${hits.length === 1 ? 'match' : 'matches'}`
          : `${subjects.length} names screened, no match`,
        list: this.sanctions.describe(),
        matches: hits.map((h) => ({ subject: h.subject, score: h.score, matches: h.matches.slice(0, 3) })),
      },
    };
  }

  private async registryCheck(org: Organisation): Promise<CheckResult> {
    const format = checkRegistrationNumber(org.country, org.registrationNumber);
    const regulated = org.regulatoryStatus.type !== 'unregulated';
    if (!regulated) return { ...format, name: 'registry' };
    // A regulated status is a claim: the register must confirm it.
    const frn = org.regulatoryStatus.firmReferenceNumber;
    const frnFormat = frn
      ? checkFirmReferenceFormat(frn)
      : { result: 'fail' as const, detail: { reason: 'no firm reference number given' } };
    if (frnFormat.result === 'fail' || !frn)
      return {
        name: 'registry',
        result: 'fail',
        detail: { reason: frnFormat.detail.reason, registrationNumber: format.detail },
      };
    const firm = await this.register.lookup(frn);
    if (!firm)
      return {
        name: 'registry',
        result: 'fail',
        detail: { reason: `the register has no firm ${frn}`, registrationNumber: format.detail },
      };
    // The number is public: it proves regulation only if the register gives it to this organisation.
    return registerVerdict(frn, firm, org, format);
  }

  /** For tests and the reviewer view: the stored results of the latest submission. */
  async latest(m: EntityManager, organisationId: string, submission: number): Promise<CheckRecord[]> {
    return m
      .getRepository(CheckRecord)
      .find({ where: { organisationId, submission }, order: { subjectType: 'DESC', name: 'ASC' } });
  }
}

/**
 * The registry check's verdict once the register has answered for `frn`: fail when the register
 * gives the number to another firm (names and, where known, Companies House numbers compared by
 * rules/firm-identity.ts), fail when the firm is not active, otherwise the registration number
 * format's own result. `firmConfirmed` is what the apps' high-tier gate (apps/standing.ts) reads.
 */
function registerVerdict(frn: string, firm: FirmRecord, org: Organisation, format: CheckResult): CheckResult {
  const mismatches = firmMismatches(firm, org);
  const organisation = { legalName: org.legalName, registrationNumber: org.registrationNumber };
  if (mismatches.length > 0) {
    const numbers = mismatches.includes('companies_house_number')
      ? `; the register's Companies House number is ${firm.companiesHouseNumber}, the organisation's ${org.registrationNumber}`
      : '';
    return {
      name: 'registry',
      result: 'fail',
      detail: {
        reason: `the register gives firm reference number ${frn} to "${firm.name}", not to "${org.legalName}"${numbers}`,
        firm,
        organisation,
        mismatches,
        firmConfirmed: false,
        registrationNumber: format.detail,
      },
    };
  }
  const active = /^(authorised|registered|eea authorised)/i.test(firm.status);
  const worst = !active ? 'fail' : format.result === 'pass' ? 'pass' : format.result;
  const registerReason = active
    ? `${firm.name} is ${firm.status} on the register`
    : `${firm.name} is "${firm.status}" on the register`;
  return {
    name: 'registry',
    result: worst,
    detail: {
      reason: format.result === 'pass' ? registerReason : `${registerReason}; ${String(format.detail.reason)}`,
      firm,
      organisation,
      firmConfirmed: active,
      registrationNumber: format.detail,
    },
  };
}
