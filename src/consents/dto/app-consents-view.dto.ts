import { ApiProperty } from '@nestjs/swagger';

/** How many of an app's consents are in each status. */
export class ConsentCountsView {
  @ApiProperty({ description: 'Consents customers have given and not ended' })
  active!: number;

  @ApiProperty({ description: 'Consents customers (or the bank) revoked' })
  revoked!: number;

  @ApiProperty({ description: 'Consents that reached their end date' })
  expired!: number;
}

/** One of the app's consents as its developer sees it: no customer personal data. */
export class AppConsentAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['sandbox', 'production'] })
  environment!: string;

  @ApiProperty({ enum: ['active', 'revoked', 'expired'] })
  status!: string;

  @ApiProperty({ type: [String] })
  scopes!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'accountIds, transactionWindow, merchants, categories',
  })
  constraints!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  revokedBy!: string | null;

  @ApiProperty()
  version!: number;
}

/** `GET …/apps/:appId/consents`: counts by status and a page of consents, newest first. */
export class AppConsentsAnswer {
  @ApiProperty({ type: ConsentCountsView })
  counts!: ConsentCountsView;

  @ApiProperty({ type: [AppConsentAnswer] })
  data!: AppConsentAnswer[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
