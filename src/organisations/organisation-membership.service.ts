import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OrganisationMembership } from '../auth/ports';
import { OrganisationRole } from '../auth/roles';

/**
 * Answers the auth guard's membership questions (ORGANISATION_MEMBERSHIP) from the tables this area
 * owns, organisations and organisation_members. One indexed lookup per organisation route.
 */
@Injectable()
export class OrganisationMembershipService implements OrganisationMembership {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async roleOf(organisationId: string, userId: string): Promise<OrganisationRole | undefined> {
    const [membership] = (await this.dataSource.query(
      `SELECT role FROM organisation_members WHERE organisation_id = $1 AND user_id = $2`,
      [organisationId, userId],
    )) as { role: OrganisationRole }[];
    return membership?.role;
  }

  async exists(organisationId: string): Promise<boolean> {
    const sql = `SELECT 1 FROM organisations WHERE id = $1`;
    const rows = (await this.dataSource.query(sql, [organisationId])) as unknown[];
    return rows.length > 0;
  }
}
