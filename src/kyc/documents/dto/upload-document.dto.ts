import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsCalendarDate, IsCountryCode, toDocumentNumber } from '../../../reference/identifier-rules';
import { DOCUMENT_TYPES, DocumentType } from '../document.entity';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

/** The text fields of the multipart upload, beside the `file` part. */
export class UploadDocumentFieldsDto {
  @ApiProperty({ enum: DOCUMENT_TYPES })
  @IsIn(DOCUMENT_TYPES)
  type: DocumentType;

  @ApiPropertyOptional({ description: 'The person an identity document or proof of address belongs to' })
  @IsOptional()
  @IsUUID()
  personId?: string;

  @ApiPropertyOptional({ description: 'As printed; spaces and hyphens are dropped, as in the MRZ' })
  @IsOptional()
  @Transform(toDocumentNumber)
  @IsString()
  @Matches(/^[A-Z0-9<]{3,64}$/, { message: 'documentNumber must be 3-64 letters and digits' })
  documentNumber?: string;

  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2 (XK for Kosovo)' })
  @IsOptional()
  @Transform(upper)
  @IsCountryCode()
  issuingCountry?: string;

  @ApiPropertyOptional({ example: '2031-05-01' })
  @IsOptional()
  @IsCalendarDate()
  expiresOn?: string;

  @ApiPropertyOptional({ description: 'The machine-readable zone, lines separated by newlines' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().replace(/\r\n/g, '\n') : value,
  )
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Z0-9<\n]+$/, { message: 'mrz may hold only A-Z, 0-9, < and line breaks' })
  mrz?: string;
}
