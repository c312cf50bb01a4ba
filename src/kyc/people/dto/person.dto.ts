import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsISO31661Alpha2, IsISO8601, IsNotEmpty, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { KycName } from '../../../common/text/names';
import { PERSON_ROLES, PersonRole } from '../../verification/requirements';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

export class CreatePersonDto {
  @ApiProperty() @KycName() @IsString() @IsNotEmpty() @MaxLength(100)
  firstName: string;

  @ApiProperty() @KycName() @IsString() @IsNotEmpty() @MaxLength(100)
  lastName: string;

  @ApiProperty({ example: '1980-04-12' }) @IsString() @IsISO8601({ strict: true, strictSeparator: true }) @MaxLength(10)
  dateOfBirth: string;

  @ApiProperty({ example: 'GB', description: 'ISO 3166-1 alpha-2' }) @Transform(upper) @IsISO31661Alpha2()
  nationality: string;

  @ApiProperty({ enum: PERSON_ROLES, isArray: true }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(2) @ArrayUnique() @IsIn(PERSON_ROLES, { each: true })
  roles: PersonRole[];

  @ApiPropertyOptional({ description: 'Required for beneficial owners (25% or more)', minimum: 0, maximum: 100 })
  @IsOptional() @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) @Max(100)
  ownershipPercent?: number;
}

export class UpdatePersonDto extends PartialType(CreatePersonDto) {}
