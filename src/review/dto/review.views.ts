import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Response shapes of the review routes, for the OpenAPI document (and so the console's typed client).
 * They describe what task-view.ts, case-views.service.ts and the decision services return; nothing
 * here is used to build a response.
 */

/** One reason code a reviewer picks from (review.rules.ts REASON_CODES). */
export class ReasonCodeView {
  @ApiProperty({ example: 'documents_verified' })
  code!: string;

  @ApiProperty({
    example: 'Documents verified and consistent',
    description: 'What the code means, in plain words',
  })
  text!: string;
}

/** `GET /v1/review/reason-codes`. */
export class ReasonCodeList {
  @ApiProperty({ type: [ReasonCodeView] })
  data!: ReasonCodeView[];
}

/** A review task (task-view.ts); timestamps ISO 8601 UTC. */
export class ReviewTaskView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    enum: ['kyb', 'app'],
    description: 'kyb: an organisation’s verification; app: production access',
  })
  type!: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The organisation (kyb) or the production-access request (app)',
  })
  subjectId!: string;

  @ApiProperty({ format: 'uuid' })
  organisationId!: string;

  @ApiProperty({
    enum: ['first', 'second'],
    description: 'second: a high-risk approval waiting for a senior reviewer',
  })
  stage!: string;

  @ApiProperty({ enum: ['pending', 'claimed', 'done', 'cancelled'] })
  status!: string;

  @ApiProperty({ enum: ['low', 'medium', 'high'] })
  riskLevel!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When the review is due (SLA: 2 working days)',
  })
  dueAt!: string;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The reviewer holding the lease',
  })
  claimedBy!: string | null;

  @ApiProperty({
    description: 'Send it back with the decision so it is recorded only under this claim',
  })
  claimVersion!: number;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When the 30-minute lease ends',
  })
  leaseExpiresAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

/** `GET /v1/review/tasks`: a cursor page of tasks. */
export class ReviewTaskPage {
  @ApiProperty({ type: [ReviewTaskView] })
  data!: ReviewTaskView[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

/** An automated check's result as a reviewer sees it (kyc check-view.ts staffCheckView). */
export class CaseCheckView {
  @ApiProperty({
    example: 'document.6f1c…',
    description: '<subject type>.<id> the check is about',
  })
  subject!: string;

  @ApiProperty({
    enum: ['integrity', 'mrz', 'expiry', 'duplicate', 'sanctions', 'registry'],
  })
  name!: string;

  @ApiProperty({ enum: ['pass', 'warn', 'fail', 'error'] })
  result!: string;

  @ApiProperty({ description: 'What the check found, in a sentence' })
  reason!: string;

  @ApiProperty({ description: 'What the check looks at, in plain words' })
  explanation!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Everything the check recorded',
  })
  detail!: Record<string, unknown>;
}

/** A director or beneficial owner of the organisation under review. */
export class CasePersonView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  firstName!: string;

  @ApiProperty()
  lastName!: string;

  @ApiProperty({ format: 'date' })
  dateOfBirth!: string;

  @ApiProperty({ example: 'GB' })
  nationality!: string;

  @ApiProperty({ enum: ['director', 'ubo'], isArray: true })
  roles!: string[];

  @ApiProperty({ nullable: true, type: Number })
  ownershipPercent!: number | null;
}

/** A document of the case, with its checks of the current submission. */
export class CaseDocumentView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'passport' })
  type!: string;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The person it identifies',
  })
  personId!: string | null;

  @ApiProperty()
  status!: string;

  @ApiProperty({ enum: ['application/pdf', 'image/jpeg', 'image/png'] })
  mimeType!: string;

  @ApiProperty({ description: 'Bytes' })
  size!: number;

  @ApiProperty({ description: 'SHA-256 of the plain bytes, hex' })
  sha256!: string;

  @ApiProperty({ nullable: true, type: String })
  documentNumber!: string | null;

  @ApiProperty({ nullable: true, type: String })
  issuingCountry!: string | null;

  @ApiProperty({ format: 'date', nullable: true, type: String })
  expiresOn!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: [CaseCheckView] })
  checks!: CaseCheckView[];
}

/** The organisation's verification as the case shows it. */
export class CaseVerificationView {
  @ApiProperty({ example: 'in_review' })
  status!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['low', 'medium', 'high'],
  })
  riskLevel!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  submittedAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: 'array',
    items: { type: 'object', additionalProperties: true },
  })
  requestedItems!: Record<string, unknown>[] | null;
}

/** The organisation under review, with its own checks (sanctions, registry). */
export class CaseOrganisationView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  legalName!: string;

  @ApiProperty({ nullable: true, type: String })
  tradingName!: string | null;

  @ApiProperty()
  registrationNumber!: string;

  @ApiProperty({ example: 'GB' })
  country!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'line1, line2?, city, postcode, country',
  })
  registeredAddress!: Record<string, string>;

  @ApiProperty({ nullable: true, type: String })
  website!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'type and firmReferenceNumber?',
  })
  regulatoryStatus!: Record<string, unknown>;

  @ApiProperty({ type: CaseVerificationView })
  verification!: CaseVerificationView;

  @ApiPropertyOptional({
    type: [CaseCheckView],
    description: 'kyb cases: checks about the organisation itself',
  })
  checks?: CaseCheckView[];
}

/** A decision recorded on the case (first or second stage). */
export class CaseDecisionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['first', 'second'] })
  stage!: string;

  @ApiProperty({ enum: ['approve', 'reject', 'request_info'] })
  decision!: string;

  @ApiProperty({ type: [String] })
  reasonCodes!: string[];

  @ApiProperty()
  note!: string;

  @ApiProperty({ format: 'uuid' })
  reviewerId!: string;

  @ApiProperty({
    nullable: true,
    type: 'array',
    items: { type: 'object', additionalProperties: true },
  })
  requestedItems!: Record<string, unknown>[] | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

/** One audit entry of the subject's history (audit.service.ts AuditHistoryEntry). */
export class CaseHistoryEntry {
  @ApiProperty()
  id!: string;

  @ApiProperty({ example: 'staff' })
  actorType!: string;

  @ApiProperty({ nullable: true, type: String })
  actorId!: string | null;

  @ApiProperty({ example: 'verification.submitted' })
  action!: string;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  before!: Record<string, unknown> | null;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  after!: Record<string, unknown> | null;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

/**
 * `GET /v1/review/tasks/:id`: the task and its case. kyb cases carry people and documents; app
 * cases carry the app, the request, its requirements and earlier requests.
 */
export class CaseView {
  @ApiProperty({ type: ReviewTaskView })
  task!: ReviewTaskView;

  @ApiProperty({ type: CaseOrganisationView })
  organisation!: CaseOrganisationView;

  @ApiPropertyOptional({ type: [CasePersonView] })
  people?: CasePersonView[];

  @ApiPropertyOptional({ type: [CaseDocumentView] })
  documents?: CaseDocumentView[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'app cases: the app',
  })
  app?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'app cases: the production-access request (scopes, justifications, attestation)',
  })
  request?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'app cases: what must hold',
  })
  requirements?: Record<string, unknown>;

  @ApiProperty({ type: [CaseDecisionView] })
  decisions!: CaseDecisionView[];

  @ApiProperty({ type: [CaseHistoryEntry] })
  history!: CaseHistoryEntry[];
}

/** `POST /v1/review/tasks/:id/decision`: the closed (or forwarded) task and the case's new status. */
export class DecisionResultView {
  @ApiProperty({ type: ReviewTaskView })
  task!: ReviewTaskView;

  @ApiProperty({
    example: 'approved',
    description: 'The verification or production status after the decision',
  })
  verificationStatus!: string;
}

/** `POST /v1/review/organisations/:orgId/suspend|reinstate`. */
export class SuspensionResultView {
  @ApiProperty({ example: 'suspended' })
  status!: string;
}
