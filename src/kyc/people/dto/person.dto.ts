import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { KycName } from '../../../common/text/names';
import { IsCountryCode, IsDateOfBirth } from '../../../reference/identifier-rules';
import { PERSON_ROLES, PersonRole } from '../../verification/requirements';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

export class CreatePersonDto {
  @ApiProperty()
  @KycName()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  firstName: string;

  @ApiProperty()
  @KycName()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  lastName: string;

  @ApiProperty({ example: '1980-04-12', description: 'YYYY-MM-DD; not in the future, at most 120 years ago' })
  @IsDateOfBirth()
  dateOfBirth: string;

  @ApiProperty({ example: 'GB', description: 'ISO 3166-1 alpha-2, as ICAO 9303 uses them (XK for Kosovo)' })
  @Transform(upper)
  @IsCountryCode()
  nationality: string;

  @ApiProperty({ enum: PERSON_ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @ArrayUnique()
  @IsIn(PERSON_ROLES, { each: true })
  roles: PersonRole[];

  @ApiPropertyOptional({ description: 'Required for beneficial owners (25% or more)', minimum: 0, maximum: 100 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100)
  ownershipPercent?: number;
}

export class UpdatePersonDto extends PartialType(CreatePersonDto) {}
