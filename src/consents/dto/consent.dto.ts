import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  MinLength,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination';
import { CONSENT_CATEGORIES, CONSENT_SCOPES, CONSENT_STATUSES, ConsentStatus, merchantKey } from '../consent';

/** Most accounts, merchants or categories one consent names. */
export const MAX_CONSENT_LIST = 50;

/** A calendar date `YYYY-MM-DD` that exists (not 2026-02-30). */
@ValidatorConstraint({ name: 'isCalendarDate' })
class IsCalendarDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
    const t = Date.parse(`${value}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === value;
  }
  defaultMessage(): string {
    return '$property must be a calendar date YYYY-MM-DD';
  }
}

/** `from` not after `to`. */
@ValidatorConstraint({ name: 'windowOrder' })
class WindowOrder implements ValidatorConstraintInterface {
  validate(to: unknown, args?: ValidationArguments): boolean {
    const from = (args?.object as TransactionWindowDto | undefined)?.from;
    return typeof to !== 'string' || typeof from !== 'string' || from <= to;
  }
  defaultMessage(): string {
    return 'to must not be before from';
  }
}

export class TransactionWindowDto {
  @ApiProperty({ example: '2026-01-01' })
  @Validate(IsCalendarDate)
  from: string;

  @ApiProperty({ example: '2026-06-30' })
  @Validate(IsCalendarDate)
  @Validate(WindowOrder)
  to: string;
}

/**
 * PATCH /v1/customer/consents/:id: narrow only. Every field is optional; `null` for the window,
 * merchants or categories means "no restriction", which widens a restricted consent (422).
 */
export class NarrowConsentDto {
  @ApiPropertyOptional({ type: [String], description: 'Keep only these of the consent’s accounts' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'accountIds must keep at least one account; to share none, revoke the consent' })
  @ArrayMaxSize(MAX_CONSENT_LIST)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  accountIds?: string[];

  @ApiPropertyOptional({ type: [String], enum: CONSENT_SCOPES })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'scopes must keep at least one scope; to share nothing, revoke the consent' })
  @ArrayUnique()
  @IsIn(CONSENT_SCOPES, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({ type: TransactionWindowDto, nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @ValidateNested()
  @Type(() => TransactionWindowDto)
  transactionWindow?: TransactionWindowDto | null;

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'Only transactions with these merchants' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CONSENT_LIST)
  @IsString({ each: true })
  // Merchants compare by merchantKey, so " TESCO " and "Tesco" are the same entry twice.
  @ArrayUnique((m: unknown) => (typeof m === 'string' ? merchantKey(m) : m), {
    message: 'merchants must not name the same merchant twice (names compare ignoring case and spacing)',
  })
  @MinLength(1, { each: true })
  @MaxLength(100, { each: true })
  merchants?: string[] | null;

  @ApiPropertyOptional({ type: [String], nullable: true, enum: CONSENT_CATEGORIES })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CONSENT_CATEGORIES, { each: true })
  categories?: string[] | null;

  @ApiPropertyOptional({ example: '2026-12-31T00:00:00Z', description: 'Only earlier than now' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(/(Z|[+-]\d{2}:\d{2})$/, { message: 'expiresAt must carry a time zone (Z or ±hh:mm)' })
  expiresAt?: string;
}

export class ConsentListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CONSENT_STATUSES })
  @IsOptional()
  @IsIn(CONSENT_STATUSES)
  status?: ConsentStatus;
}
