import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ORGANISATION_ROLES, OrganisationRole } from '../../auth/roles';
import { VERIFICATION_STATUSES } from '../verification-status';

/** A registered address as stored (postcode in canonical form). */
export class AddressView {
  @ApiProperty()
  line1!: string;

  @ApiPropertyOptional()
  line2?: string;

  @ApiProperty()
  city!: string;

  @ApiProperty()
  postcode!: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2' })
  country!: string;
}

/** Whether and how the organisation is regulated by the FCA. */
export class RegulatoryStatusView {
  @ApiProperty({ enum: ['fca_authorised', 'fca_registered', 'unregulated'] })
  type!: 'fca_authorised' | 'fca_registered' | 'unregulated';

  @ApiPropertyOptional({ description: 'The FCA register number, for FCA-regulated organisations' })
  firmReferenceNumber?: string;
}

/** The organisation's place in verification (SPEC "Organisations (KYB)": verification states). */
export class OrganisationVerificationSummary {
  @ApiProperty({ enum: VERIFICATION_STATUSES })
  status!: string;
}

/** An organisation as its members see it (`GET /v1/organisations/:orgId`). */
export class OrganisationAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  legalName!: string;

  @ApiProperty({ type: String, nullable: true })
  tradingName!: string | null;

  @ApiProperty({ description: 'Companies House form for GB (8 characters)' })
  registrationNumber!: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2' })
  country!: string;

  @ApiProperty({ type: AddressView })
  registeredAddress!: AddressView;

  @ApiProperty({ type: String, nullable: true })
  website!: string | null;

  @ApiProperty({ type: RegulatoryStatusView })
  regulatoryStatus!: RegulatoryStatusView;

  @ApiProperty({ type: OrganisationVerificationSummary })
  verification!: OrganisationVerificationSummary;

  @ApiPropertyOptional({ enum: ORGANISATION_ROLES, description: 'Your role in this organisation' })
  myRole?: OrganisationRole;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** `GET /v1/organisations`: every organisation you belong to, on one page. */
export class OrganisationList {
  @ApiProperty({ type: [OrganisationAnswer] })
  data!: OrganisationAnswer[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: one page holds them all' })
  nextCursor!: null;
}
