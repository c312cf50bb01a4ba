import { ApiProperty } from '@nestjs/swagger';

/** Who acted or what was acted on, in an audit entry. */
export class AuditPartyView {
  @ApiProperty({
    example: 'staff',
    description: 'developer, staff, customer, app, system, organisation, …',
  })
  type!: string;

  @ApiProperty({ nullable: true, type: String })
  id!: string | null;
}

/** One entry of the hash-chained audit log (audit.service.ts AuditEntryView). */
export class AuditEntryResponse {
  @ApiProperty({ description: 'Position in the chain' })
  id!: string;

  @ApiProperty({ type: AuditPartyView })
  actor!: AuditPartyView;

  @ApiProperty({ example: 'review.decided' })
  action!: string;

  @ApiProperty({ type: AuditPartyView })
  subject!: AuditPartyView;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  before!: Record<string, unknown> | null;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  after!: Record<string, unknown> | null;

  @ApiProperty({ nullable: true, type: String })
  requestId!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    description: 'SHA-256 of the previous hash and this entry, hex',
  })
  hash!: string;
}

/** `GET /v1/audit`: a cursor page of entries, newest first. */
export class AuditEntryPage {
  @ApiProperty({ type: [AuditEntryResponse] })
  data!: AuditEntryResponse[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

/** `GET /v1/audit/verify`: the result of walking the whole chain. */
export class AuditVerifyView {
  @ApiProperty({
    description: 'true when every entry’s hash holds and none is missing',
  })
  ok!: boolean;

  @ApiProperty({ description: 'How many entries were checked' })
  checked!: number;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The first entry whose hash does not hold',
  })
  firstBrokenId!: string | null;

  @ApiProperty({ required: false, description: 'What is wrong, when not ok' })
  reason?: string;
}
