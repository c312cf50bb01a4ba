import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { mailboxKey } from '../accounts/mailbox';
import { Principal } from '../auth/principal';
import { UserDirectoryService } from '../accounts/user-directory.service';
import { AuditService } from '../audit/audit.service';
import { hashToken, newToken } from '../common/crypto/tokens';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import { OutboxService } from '../notifications/outbox.service';
import { canonicalRegistrationNumber } from '../reference/identifier-rules';
import { isEditable } from './verification-status';
import { CreateInvitationDto, CreateOrganisationDto, UpdateOrganisationDto } from './dto/organisation.dto';
import { Invitation, Organisation, OrganisationMember } from './organisation.entity';
import { OrganisationRole } from '../auth/roles';

const INVITATION_TTL_MS = 7 * 24 * 3600_000;

type Member = { user_id: string };

/**
 * The registration number as stored, checked against the organisation's country: both may come in
 * one request or one of them in a PATCH, so this runs on the merged values. 400 when it cannot be
 * a number of that register (identifier-rules.ts).
 */
function registrationNumberFor(country: string, number: string): string {
  const canonical = canonicalRegistrationNumber(country, number);
  if ('problem' in canonical) {
    const message = `registrationNumber ${canonical.problem} (country ${country})`;
    throw new ValidationFailedError([{ field: 'registrationNumber', message }]);
  }
  return canonical.value;
}

export interface OrganisationView {
  id: string;
  legalName: string;
  tradingName: string | null;
  registrationNumber: string;
  country: string;
  registeredAddress: Organisation['registeredAddress'];
  website: string | null;
  regulatoryStatus: Organisation['regulatoryStatus'];
  verification: { status: string };
  myRole?: OrganisationRole;
  createdAt: string;
  updatedAt: string;
}

const view = (o: Organisation, myRole?: OrganisationRole): OrganisationView => ({
  id: o.id,
  ...snapshot(o),
  verification: { status: o.verificationStatus },
  myRole,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});

/** The details a developer edits, as the audit log records them before and after a change. */
function snapshot(o: Organisation) {
  return {
    legalName: o.legalName,
    tradingName: o.tradingName,
    registrationNumber: o.registrationNumber,
    country: o.country,
    registeredAddress: o.registeredAddress,
    website: o.website,
    regulatoryStatus: o.regulatoryStatus,
  };
}

/** Fields a PATCH copies as given when it names them. */
const PLAIN_FIELDS = ['legalName', 'tradingName', 'country', 'website'] as const;

/**
 * What a PATCH changes: each field it names; the registration number is re-read (Companies House
 * canonical form) whenever the number or the country changes, against the country it will have.
 */
function organisationChanges(org: Organisation, dto: UpdateOrganisationDto): Partial<Organisation> {
  const changes: Partial<Organisation> = {};
  for (const field of PLAIN_FIELDS) if (dto[field] !== undefined) Object.assign(changes, { [field]: dto[field] });
  if (dto.registeredAddress !== undefined) changes.registeredAddress = { ...dto.registeredAddress };
  if (dto.regulatoryStatus !== undefined) changes.regulatoryStatus = { ...dto.regulatoryStatus };
  if (dto.registrationNumber !== undefined || dto.country !== undefined) {
    const country = dto.country ?? org.country;
    changes.registrationNumber = registrationNumberFor(country, dto.registrationNumber ?? org.registrationNumber);
  }
  return changes;
}

/** Every read and write takes the organisation id and is reached only through the membership guard. */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly users: UserDirectoryService,
  ) {}

  async create(principal: Principal, dto: CreateOrganisationDto, requestId?: string): Promise<OrganisationView> {
    const registrationNumber = registrationNumberFor(dto.country, dto.registrationNumber);
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(Organisation);
      const org = await repo.save(
        repo.create({
          legalName: dto.legalName,
          tradingName: dto.tradingName ?? null,
          registrationNumber,
          country: dto.country,
          registeredAddress: { ...dto.registeredAddress },
          website: dto.website ?? null,
          regulatoryStatus: { ...dto.regulatoryStatus },
          verificationReasons: [],
          requestedItems: [],
          createdBy: principal.userId,
        }),
      );
      await m
        .getRepository(OrganisationMember)
        .insert({ organisationId: org.id, userId: principal.userId, role: 'owner' });
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'organisation.created',
        subject: { type: 'organisation', id: org.id },
        after: snapshot(org),
        requestId,
      });
      return view(org, 'owner');
    });
  }

  async listMine(principal: Principal): Promise<OrganisationView[]> {
    const rows = await this.dataSource
      .getRepository(Organisation)
      .createQueryBuilder('o')
      .innerJoin(OrganisationMember, 'm', 'm.organisation_id = o.id AND m.user_id = :userId', {
        userId: principal.userId,
      })
      .addSelect('m.role', 'my_role')
      .orderBy('o.created_at', 'ASC')
      .getRawAndEntities();
    return rows.entities.map((o, i) => view(o, (rows.raw[i] as { my_role: OrganisationRole }).my_role));
  }

  async get(orgId: string, myRole?: OrganisationRole): Promise<OrganisationView> {
    const org = await this.dataSource.getRepository(Organisation).findOneBy({ id: orgId });
    if (!org) throw new NotFoundError('Organisation');
    return view(org, myRole);
  }

  async update(
    orgId: string,
    principal: Principal,
    dto: UpdateOrganisationDto,
    requestId?: string,
  ): Promise<OrganisationView> {
    return this.dataSource.transaction(async (m) => {
      const org = await m
        .getRepository(Organisation)
        .findOne({ where: { id: orgId }, lock: { mode: 'pessimistic_write' } });
      if (!org) throw new NotFoundError('Organisation');
      if (!isEditable(org.verificationStatus)) {
        throw new DomainError(
          'invalid_state',
          `The organisation cannot be edited while its verification is ${org.verificationStatus}`,
        );
      }
      const before = snapshot(org);
      Object.assign(org, organisationChanges(org, dto));
      const saved = await m.getRepository(Organisation).save(org);
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'organisation.updated',
        subject: { type: 'organisation', id: orgId },
        before,
        after: snapshot(saved),
        requestId,
      });
      return view(saved, principal.organisationRole);
    });
  }

  async members(
    orgId: string,
  ): Promise<{ userId: string; name: string; email: string; role: OrganisationRole; joinedAt: string }[]> {
    const rows = (await this.dataSource.query(
      `SELECT user_id, role, created_at FROM organisation_members WHERE organisation_id = $1 ORDER BY created_at`,
      [orgId],
    )) as { user_id: string; role: OrganisationRole; created_at: Date }[];
    const contacts = new Map((await this.users.contacts(rows.map((r) => r.user_id))).map((c) => [c.id, c]));
    return rows.map((r) => {
      const { name, email } = contacts.get(r.user_id)!;
      return { userId: r.user_id, name, email, role: r.role, joinedAt: r.created_at.toISOString() };
    });
  }

  async invite(
    orgId: string,
    principal: Principal,
    dto: CreateInvitationDto,
    requestId?: string,
  ): Promise<{ id: string; email: string; role: OrganisationRole; expiresAt: string }> {
    if (dto.role === 'owner' && principal.organisationRole !== 'owner')
      throw new DomainError('forbidden', 'Only an owner can invite another owner');
    return this.dataSource.transaction(async (m) => {
      const org = await m.getRepository(Organisation).findOneByOrFail({ id: orgId });
      const sql = `SELECT user_id FROM organisation_members WHERE organisation_id = $1`;
      const members = (await m.query(sql, [orgId])) as Member[];
      const already = await this.users.anyHasMailbox(
        m,
        members.map((x) => x.user_id),
        mailboxKey(dto.email),
      );
      if (already) throw new DomainError('conflict', 'This person is already a member');
      const token = newToken();
      const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
      const invitation = await m.getRepository(Invitation).save(
        m.getRepository(Invitation).create({
          organisationId: orgId,
          email: dto.email,
          role: dto.role,
          tokenHash: hashToken(token),
          invitedBy: principal.userId,
          expiresAt,
        }),
      );
      await this.outbox.enqueue(m, dto.email, 'invitation', {
        organisationName: org.legalName,
        inviterName: principal.name,
        role: dto.role,
        token,
      });
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'organisation.member_invited',
        subject: { type: 'organisation', id: orgId },
        after: { invitationId: invitation.id, email: dto.email, role: dto.role },
        requestId,
      });
      return { id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: expiresAt.toISOString() };
    });
  }

  /** Single use, unexpired, and only for the account whose email the invitation was sent to. */
  async accept(token: string, principal: Principal, requestId?: string): Promise<OrganisationView> {
    return this.dataSource.transaction(async (m) => {
      const invitation = await m
        .getRepository(Invitation)
        .findOne({ where: { tokenHash: hashToken(token) }, lock: { mode: 'pessimistic_write' } });
      if (!invitation || invitation.acceptedAt || invitation.expiresAt.getTime() < Date.now())
        throw new NotFoundError('Invitation');
      const user = await this.users.mailboxOf(m, principal.userId);
      if (user.emailKey === null || user.emailKey !== mailboxKey(invitation.email)) {
        throw new DomainError(
          'forbidden',
          'This invitation was sent to a different email address; sign in with that account to accept it',
        );
      }
      if (!user.emailVerifiedAt) throw new DomainError('forbidden', 'Verify your email address first');
      await m.query(`UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1`, [
        invitation.id,
        user.id,
      ]);
      await m.query(
        `INSERT INTO organisation_members (organisation_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [invitation.organisationId, user.id, invitation.role],
      );
      await this.audit.append(m, {
        actor: { type: 'developer', id: user.id },
        action: 'organisation.member_joined',
        subject: { type: 'organisation', id: invitation.organisationId },
        after: { userId: user.id, role: invitation.role },
        requestId,
      });
      const org = await m.getRepository(Organisation).findOneByOrFail({ id: invitation.organisationId });
      return view(org, invitation.role);
    });
  }

  /** Owners and admins remove members (admins cannot remove owners); anyone may leave; the last owner stays. */
  async removeMember(orgId: string, userId: string, principal: Principal, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      // Lock the organisation's memberships so two removals cannot both pass the last-owner check.
      const members = (await m.query(
        `SELECT user_id, role FROM organisation_members WHERE organisation_id = $1 FOR UPDATE`,
        [orgId],
      )) as { user_id: string; role: OrganisationRole }[];
      const target = members.find((x) => x.user_id === userId);
      if (!target) throw new NotFoundError('Member');
      const self = userId === principal.userId;
      if (!self) {
        if (principal.organisationRole === 'member')
          throw new DomainError('forbidden', 'Only owners and admins can remove other members');
        if (target.role === 'owner' && principal.organisationRole !== 'owner')
          throw new DomainError('forbidden', 'Only an owner can remove an owner');
      }
      if (target.role === 'owner' && members.filter((x) => x.role === 'owner').length === 1) {
        throw new DomainError('conflict', 'The last owner cannot be removed; make someone else owner first');
      }
      await m.query(`DELETE FROM organisation_members WHERE organisation_id = $1 AND user_id = $2`, [orgId, userId]);
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'organisation.member_removed',
        subject: { type: 'organisation', id: orgId },
        before: { userId, role: target.role },
        requestId,
      });
    });
  }
}
