import { ApiProperty } from '@nestjs/swagger';
import { CHECK_OUTCOMES } from '../../checks/rules/check-result';
import { DOCUMENT_TYPES } from '../../verification/requirements';

/**
 * One automated check's result as a developer sees it (src/kyc/checks/check-view.ts: sanctions
 * screening is never shown, and a duplicate names no other organisation).
 */
export class CheckAnswer {
  @ApiProperty({ description: 'What was checked: `document.<id>`, `person.<id>` or `organisation.<id>`' })
  subject!: string;

  @ApiProperty({ description: 'The check: integrity, mrz, expiry, duplicate, registry' })
  name!: string;

  @ApiProperty({ enum: CHECK_OUTCOMES })
  result!: string;

  @ApiProperty({ description: 'Why, in a sentence (empty when there is nothing to say)' })
  reason!: string;
}

/** An uploaded document's metadata and its check results (the file itself is `…/content`). */
export class DocumentAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: DOCUMENT_TYPES })
  type!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The person an identity document is for' })
  personId!: string | null;

  @ApiProperty({ description: 'uploaded until its checks have run, then checked' })
  status!: string;

  @ApiProperty({ enum: ['application/pdf', 'image/jpeg', 'image/png'], description: 'Decided by the bytes' })
  mimeType!: string;

  @ApiProperty({ description: 'Bytes' })
  size!: number;

  @ApiProperty({ description: 'SHA-256 of the file, hex' })
  sha256!: string;

  @ApiProperty({ type: String, nullable: true })
  documentNumber!: string | null;

  @ApiProperty({ type: String, nullable: true })
  issuingCountry!: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  expiresOn!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    type: [CheckAnswer],
    description:
      'The latest submission’s checks of this document, in `GET …/documents/:id`; the list leaves it empty (`GET …/verification` has every check)',
  })
  checks!: CheckAnswer[];
}

/** `GET …/documents`: every document of the organisation, on one page. */
export class DocumentList {
  @ApiProperty({ type: [DocumentAnswer] })
  data!: DocumentAnswer[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: one page holds them all' })
  nextCursor!: null;
}
