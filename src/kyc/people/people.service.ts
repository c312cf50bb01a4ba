import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../../auth/principal';
import { AuditService } from '../../audit/audit.service';
import { DomainError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { UBO_THRESHOLD_PERCENT } from '../verification/requirements';
import { CreatePersonDto, UpdatePersonDto } from './dto/person.dto';
import { Person } from './person.entity';
import { dateOfBirthProblem } from '../../reference/identifier-rules';
import { OrganisationRecordsService } from '../../organisations/organisation-records.service';

export interface PersonView {
  id: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  nationality: string;
  roles: string[];
  ownershipPercent: number | null;
  createdAt: string;
  updatedAt: string;
}

export const personView = (p: Person): PersonView => ({
  id: p.id,
  firstName: p.firstName,
  lastName: p.lastName,
  dateOfBirth: p.dateOfBirth,
  nationality: p.nationality,
  roles: p.roles,
  ownershipPercent: p.ownershipPercent === null ? null : Number(p.ownershipPercent),
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertCoherent(p: { roles: string[]; ownershipPercent: number | null; dateOfBirth: string }): void {
  const errors = [];
  if (p.roles.includes('ubo') && (p.ownershipPercent === null || p.ownershipPercent < UBO_THRESHOLD_PERCENT)) {
    errors.push({ field: 'ownershipPercent', message: `a beneficial owner holds at least ${UBO_THRESHOLD_PERCENT}%` });
  }
  const born = dateOfBirthProblem(p.dateOfBirth, new Date());
  if (born) errors.push({ field: 'dateOfBirth', message: `dateOfBirth ${born}` });
  if (errors.length) throw new ValidationFailedError(errors);
}

/** Directors and beneficial owners; every query is scoped by the organisation id. */
@Injectable()
export class PeopleService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly audit: AuditService,
  ) {}

  async list(orgId: string): Promise<PersonView[]> {
    const people = await this.dataSource
      .getRepository(Person)
      .find({ where: { organisationId: orgId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return people.map(personView);
  }

  async get(orgId: string, personId: string): Promise<PersonView> {
    return personView(await this.find(orgId, personId));
  }

  async create(orgId: string, principal: Principal, dto: CreatePersonDto, requestId?: string): Promise<PersonView> {
    assertCoherent({ roles: dto.roles, ownershipPercent: dto.ownershipPercent ?? null, dateOfBirth: dto.dateOfBirth });
    return this.dataSource.transaction(async (m) => {
      await this.organisations.lockEditable(m, orgId);
      const repo = m.getRepository(Person);
      const person = await repo.save(
        repo.create({
          organisationId: orgId,
          firstName: dto.firstName,
          lastName: dto.lastName,
          dateOfBirth: dto.dateOfBirth,
          nationality: dto.nationality,
          roles: dto.roles,
          ownershipPercent: dto.ownershipPercent?.toFixed(2) ?? null,
        }),
      );
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'person.created',
        subject: { type: 'organisation', id: orgId },
        after: { personId: person.id, roles: person.roles },
        requestId,
      });
      return personView(person);
    });
  }

  async update(
    orgId: string,
    personId: string,
    principal: Principal,
    dto: UpdatePersonDto,
    requestId?: string,
  ): Promise<PersonView> {
    return this.dataSource.transaction(async (m) => {
      await this.organisations.lockEditable(m, orgId);
      const person = await this.find(orgId, personId, m.getRepository(Person));
      const next = {
        firstName: dto.firstName ?? person.firstName,
        lastName: dto.lastName ?? person.lastName,
        dateOfBirth: dto.dateOfBirth ?? person.dateOfBirth,
        nationality: dto.nationality ?? person.nationality,
        roles: dto.roles ?? person.roles,
        ownershipPercent:
          dto.ownershipPercent !== undefined
            ? dto.ownershipPercent
            : person.ownershipPercent === null
              ? null
              : Number(person.ownershipPercent),
      };
      assertCoherent(next);
      Object.assign(person, { ...next, ownershipPercent: next.ownershipPercent?.toFixed(2) ?? null });
      const saved = await m.getRepository(Person).save(person);
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'person.updated',
        subject: { type: 'organisation', id: orgId },
        after: { personId, fields: Object.keys(dto) },
        requestId,
      });
      return personView(saved);
    });
  }

  async remove(orgId: string, personId: string, principal: Principal, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.organisations.lockEditable(m, orgId);
      await this.find(orgId, personId, m.getRepository(Person));
      const [{ n }] = (await m.query(
        `SELECT count(*)::int AS n FROM documents WHERE organisation_id = $1 AND person_id = $2`,
        [orgId, personId],
      )) as { n: number }[];
      if (n > 0) throw new DomainError('conflict', 'Delete this person’s documents first');
      await m.query(`DELETE FROM people WHERE organisation_id = $1 AND id = $2`, [orgId, personId]);
      await this.audit.append(m, {
        actor: { type: 'developer', id: principal.userId },
        action: 'person.deleted',
        subject: { type: 'organisation', id: orgId },
        before: { personId },
        requestId,
      });
    });
  }

  private async find(orgId: string, personId: string, repo = this.dataSource.getRepository(Person)): Promise<Person> {
    const person = UUID.test(personId) ? await repo.findOneBy({ id: personId, organisationId: orgId }) : null;
    if (!person) throw new NotFoundError('Person');
    return person;
  }
}
