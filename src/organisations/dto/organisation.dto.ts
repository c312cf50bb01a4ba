import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { KycName } from '../../common/text/names';
import {
  IsCountryCode,
  IsPostcodeOf,
  toFirmReferenceNumber,
  toPostcode,
  toRegistrationNumber,
} from '../../reference/identifier-rules';
import { ORGANISATION_ROLES, OrganisationRole } from '../../auth/roles';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

export class AddressDto {
  @ApiProperty()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  line1: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  line2?: string;

  @ApiProperty()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  city: string;

  @ApiProperty({ example: 'EC2V 8AU', description: 'UK format for GB, GG, JE, IM; elsewhere 2-10 letters and digits' })
  @Transform(toPostcode)
  @IsString()
  @IsNotEmpty()
  @MaxLength(16)
  @IsPostcodeOf('country')
  postcode: string;

  @ApiProperty({ example: 'GB', description: 'ISO 3166-1 alpha-2 (XK for Kosovo)' })
  @Transform(upper)
  @IsCountryCode()
  country: string;
}

export class RegulatoryStatusDto {
  @ApiProperty({ enum: ['fca_authorised', 'fca_registered', 'unregulated'] })
  @IsIn(['fca_authorised', 'fca_registered', 'unregulated'])
  type: 'fca_authorised' | 'fca_registered' | 'unregulated';

  @ApiPropertyOptional({
    description: 'FCA firm reference number (6 or 7 digits); required before submission when FCA-regulated',
  })
  @IsOptional()
  @Transform(toFirmReferenceNumber)
  @IsString()
  @Matches(/^\d{6,7}$/, { message: 'firmReferenceNumber must be 6 or 7 digits' })
  firmReferenceNumber?: string;
}

export class CreateOrganisationDto {
  @ApiProperty()
  @KycName()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  legalName: string;

  @ApiPropertyOptional()
  @IsOptional()
  @KycName()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  tradingName?: string;

  @ApiProperty({ example: 'SC012345', description: 'As printed, separators dropped; GB: a Companies House number' })
  @Transform(toRegistrationNumber)
  @IsString()
  @Matches(/^[A-Z0-9]{2,32}$/, { message: 'registrationNumber must be 2-32 letters and digits' })
  registrationNumber: string;

  @ApiProperty({ example: 'GB', description: 'ISO 3166-1 alpha-2 (XK for Kosovo)' })
  @Transform(upper)
  @IsCountryCode()
  country: string;

  @ApiProperty({ type: AddressDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  registeredAddress: AddressDto;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  website?: string;

  @ApiProperty({ type: RegulatoryStatusDto })
  @IsObject()
  @ValidateNested()
  @Type(() => RegulatoryStatusDto)
  regulatoryStatus: RegulatoryStatusDto;
}

export class UpdateOrganisationDto extends PartialType(CreateOrganisationDto) {}

export class CreateInvitationDto {
  @ApiProperty()
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiProperty({ enum: ORGANISATION_ROLES })
  @IsIn(ORGANISATION_ROLES)
  role: OrganisationRole;
}
