import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { UserDirectoryService } from '../accounts/user-directory.service';
import { OrganisationRole } from '../auth/roles';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { Organisation } from './organisation.entity';
import { VerificationStatus, isEditable } from './verification-status';

/**
 * The verification columns other than the status that kyc (submission, checks) and review
 * (decisions) set: kyc's state machine decides them, this area stores them.
 */
type VerificationColumn =
  | 'riskLevel'
  | 'submittedAt'
  | 'submissionCount'
  | 'decidedAt'
  | 'approvedAt'
  | 'verificationReasons'
  | 'requestedItems';
export type VerificationRecordChange = Partial<Pick<Organisation, VerificationColumn>>;

/**
 * The `organisations` row and its members for the areas above (kyc, review, apps): they read and
 * change them only through here (CONVENTIONS.md habit 11; docs/decisions.md "Table ownership").
 * Methods that take an EntityManager run in the caller's transaction, so a lock taken here holds
 * until the caller commits.
 */
@Injectable()
export class OrganisationRecordsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserDirectoryService,
  ) {}

  /** Emails of the organisation's members with one of `roles`, ordered by email (who hears about it). */
  async recipients(m: EntityManager, orgId: string, roles: readonly OrganisationRole[]): Promise<string[]> {
    const sql = `SELECT user_id FROM organisation_members WHERE organisation_id = $1 AND role = ANY($2::text[])`;
    const members = (await m.query(sql, [orgId, roles])) as { user_id: string }[];
    const contacts = await this.users.contacts(
      members.map((x) => x.user_id),
      m,
    );
    return contacts.map((c) => c.email);
  }

  /** The row, or null; read through `m` when given (the caller's transaction), else on its own. */
  find(orgId: string, m: EntityManager = this.dataSource.manager): Promise<Organisation | null> {
    return m.getRepository(Organisation).findOneBy({ id: orgId });
  }

  /** The row; NotFoundError (404 not_found) when there is none. */
  async get(orgId: string, m: EntityManager = this.dataSource.manager): Promise<Organisation> {
    const org = await this.find(orgId, m);
    if (!org) throw new NotFoundError('Organisation');
    return org;
  }

  /** Locks the row (FOR UPDATE) for the rest of the caller's transaction; null when there is none. */
  lockForUpdate(m: EntityManager, orgId: string): Promise<Organisation | null> {
    return m.getRepository(Organisation).findOne({ where: { id: orgId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Locks the row (FOR SHARE): its status cannot change before the caller commits; null when none. */
  lockForShare(m: EntityManager, orgId: string): Promise<Organisation | null> {
    return m.getRepository(Organisation).findOne({ where: { id: orgId }, lock: { mode: 'pessimistic_read' } });
  }

  /**
   * Locks the row (FOR UPDATE) and refuses unless its verification still lets the developer edit
   * (unverified or info_requested; verification-status.ts): 404 when there is none, 409
   * invalid_state otherwise. Edits of people and documents go through here, so they cannot race a
   * submission.
   */
  async lockEditable(m: EntityManager, orgId: string): Promise<Organisation> {
    const org = await this.lockForUpdate(m, orgId);
    if (!org) throw new NotFoundError('Organisation');
    if (!isEditable(org.verificationStatus)) {
      const message = `The organisation cannot be changed while its verification is ${org.verificationStatus}`;
      throw new DomainError('invalid_state', message);
    }
    return org;
  }

  /** Every organisation whose verification is `status` (e.g. the approved ones, for re-screening). */
  withVerificationStatus(status: VerificationStatus): Promise<Organisation[]> {
    return this.dataSource.getRepository(Organisation).find({ where: { verificationStatus: status } });
  }

  /**
   * Organisations `submitted` more than `graceSeconds` ago (by the database clock) and still in that
   * status, oldest first: the cases whose checks may have been lost on the way to the workers.
   */
  async submittedBefore(graceSeconds: number): Promise<{ id: string; submissionCount: number }[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, submission_count FROM organisations
        WHERE verification_status = 'submitted' AND submitted_at < now() - make_interval(secs => $1)
        ORDER BY submitted_at`,
      [graceSeconds],
    )) as { id: string; submission_count: number }[];
    return rows.map((r) => ({ id: r.id, submissionCount: r.submission_count }));
  }

  /** Legal names of `orgIds` (unknown ids are left out), e.g. to name other cases to a reviewer. */
  async legalNames(orgIds: readonly string[]): Promise<Map<string, string>> {
    if (orgIds.length === 0) return new Map();
    const sql = `SELECT id, legal_name FROM organisations WHERE id = ANY($1::uuid[])`;
    const rows = (await this.dataSource.query(sql, [orgIds])) as { id: string; legal_name: string }[];
    return new Map(rows.map((r) => [r.id, r.legal_name]));
  }

  /**
   * Stores a status change kyc's state machine decided (VerificationService.transition). The caller
   * holds the row lock; a row not in `from` means it did not, and is a bug (throws, rolling back).
   * A move to `suspended` stamps `suspended_at` with the database clock, the clock review's task
   * times use, so "a task created after the suspension" never depends on two clocks agreeing.
   */
  async setVerificationStatus(
    m: EntityManager,
    orgId: string,
    from: VerificationStatus,
    to: VerificationStatus,
  ): Promise<void> {
    const row = { id: orgId, verificationStatus: from };
    const change: QueryDeepPartialEntity<Organisation> = { verificationStatus: to };
    if (to === 'suspended') change.suspendedAt = () => 'now()';
    const result = await m.getRepository(Organisation).update(row, change);
    if (result.affected !== 1) throw new Error(`organisation ${orgId} is not ${from}: its status moved under us`);
  }

  /** Stores `change` in the row and in `org`, the caller's locked copy, so both stay the same. */
  async updateVerificationRecord(m: EntityManager, org: Organisation, change: VerificationRecordChange): Promise<void> {
    Object.assign(org, change);
    if (Object.keys(change).length === 0) return;
    // jsonb columns (reasons, items) are typed `unknown` in the entity, which the update type refuses.
    await m.getRepository(Organisation).update({ id: org.id }, change as QueryDeepPartialEntity<Organisation>);
  }
}
