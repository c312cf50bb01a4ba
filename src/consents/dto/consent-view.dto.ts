import { ApiProperty } from '@nestjs/swagger';
import { CONSENT_CATEGORIES, CONSENT_ENVIRONMENTS, CONSENT_SCOPES, CONSENT_STATUSES, REVOKED_BY } from '../consent';
import type { ConsentEnvironment, ConsentStatus, RevokedBy } from '../consent';

/**
 * The answers of the customer consent API (SPEC "Customer consents") as the OpenAPI document
 * declares them, so the web console's client is typed from them. Timestamps are ISO 8601 UTC,
 * dates `YYYY-MM-DD`. The services return plain objects of these shapes.
 */

export class TransactionWindowView {
  @ApiProperty({ example: '2026-01-01', description: 'First date included' })
  from!: string;

  @ApiProperty({ example: '2026-06-30', description: 'Last date included' })
  to!: string;
}

export class ConsentConstraintsView {
  @ApiProperty({ type: [String], description: 'The accounts the app may read' })
  accountIds!: string[];

  @ApiProperty({
    type: TransactionWindowView,
    nullable: true,
    description: 'Only transactions dated inside this window; null: any date',
  })
  transactionWindow!: TransactionWindowView | null;

  @ApiProperty({ type: [String], nullable: true, description: 'Only transactions with these merchants; null: any' })
  merchants!: string[] | null;

  @ApiProperty({
    type: [String],
    nullable: true,
    enum: CONSENT_CATEGORIES,
    description: 'Only transactions in these categories; null: any',
  })
  categories!: string[] | null;
}

export class ConsentAppView {
  @ApiProperty({ description: "The app's name" })
  name!: string;

  @ApiProperty({ description: "The legal name of the app's organisation, as verified" })
  organisationName!: string;
}

export class ConsentView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  appId!: string;

  @ApiProperty({ type: ConsentAppView })
  app!: ConsentAppView;

  @ApiProperty({ enum: CONSENT_ENVIRONMENTS })
  environment!: ConsentEnvironment;

  @ApiProperty({ enum: CONSENT_STATUSES })
  status!: ConsentStatus;

  @ApiProperty({ type: [String], enum: CONSENT_SCOPES, description: 'The data the app may read' })
  scopes!: string[];

  @ApiProperty({ type: ConsentConstraintsView })
  constraints!: ConsentConstraintsView;

  @ApiProperty({ description: "The app's justification, shown to the customer" })
  purpose!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', description: 'When the consent ends by itself' })
  expiresAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'The app’s last read' })
  lastUsedAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  revokedAt!: string | null;

  @ApiProperty({ enum: REVOKED_BY, nullable: true, type: String, description: 'Who or what ended it' })
  revokedBy!: RevokedBy | null;

  @ApiProperty({ nullable: true, type: String })
  revocationReason!: string | null;

  @ApiProperty({ description: 'Bumped on every change' })
  version!: number;
}

export class ConsentDataItemView {
  @ApiProperty({ enum: CONSENT_SCOPES })
  scope!: string;

  @ApiProperty({ description: 'The scope’s short name' })
  title!: string;

  @ApiProperty({ description: 'What the scope lets the app see or do, in plain words' })
  description!: string;
}

export class ConsentReceiptView {
  @ApiProperty({ description: 'The consent version this receipt records' })
  version!: number;

  @ApiProperty({ description: 'The version of the wording shown' })
  wordingVersion!: string;

  @ApiProperty({ description: 'The exact sentence the customer agreed to' })
  wording!: string;

  @ApiProperty({ type: [ConsentDataItemView], description: 'The data list shown with the wording' })
  dataList!: ConsentDataItemView[];

  @ApiProperty({ enum: ['approved', 'narrowed'] })
  decision!: 'approved' | 'narrowed';

  @ApiProperty({ format: 'date-time' })
  decidedAt!: string;

  @ApiProperty({ type: [String], enum: CONSENT_SCOPES })
  scopes!: string[];

  @ApiProperty({ type: ConsentConstraintsView })
  constraints!: ConsentConstraintsView;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ description: 'SHA-256 (hex) over the RFC 8785 canonical JSON of every other field' })
  sha256!: string;
}

export class ConsentDetailView extends ConsentView {
  @ApiProperty({ type: ConsentReceiptView, description: 'The receipt in force' })
  receipt!: ConsentReceiptView;

  @ApiProperty({ type: [ConsentReceiptView], description: 'Every receipt, newest first' })
  receipts!: ConsentReceiptView[];
}

export class ConsentAccountView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ example: 'Sandbox current account 1' })
  name!: string;

  @ApiProperty({ example: 'current_account' })
  type!: string;

  @ApiProperty({ example: 'GBP' })
  currency!: string;

  @ApiProperty({ example: '****1234', description: 'The last four digits of the account number' })
  maskedNumber!: string;
}

export class CustomerConsentDetailView extends ConsentDetailView {
  @ApiProperty({
    type: [ConsentAccountView],
    description: 'The bank’s description of the consent’s accounts, where the bank knows them',
  })
  accounts!: ConsentAccountView[];
}

export class ConsentPage {
  @ApiProperty({ type: [ConsentView] })
  data!: ConsentView[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last' })
  nextCursor!: string | null;
}

export class ConnectedAppView {
  @ApiProperty({ format: 'uuid' })
  appId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: "The legal name of the app's organisation, as verified" })
  organisationName!: string;

  @ApiProperty({ type: [String], enum: CONSENT_SCOPES, description: 'What its active consents allow together' })
  scopes!: string[];

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastUsedAt!: string | null;

  @ApiProperty({ description: 'Consents of any status' })
  consentsCount!: number;

  @ApiProperty()
  activeConsentsCount!: number;
}

export class ConnectedAppPage {
  @ApiProperty({ type: [ConnectedAppView] })
  data!: ConnectedAppView[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last' })
  nextCursor!: string | null;
}

export class RevokedCountView {
  @ApiProperty({ description: 'How many active consents this revoked' })
  revoked!: number;
}

export class AccessLogDateRangeView {
  @ApiProperty({ nullable: true, type: String })
  from!: string | null;

  @ApiProperty({ nullable: true, type: String })
  to!: string | null;
}

export class AccessLogEntryView {
  @ApiProperty({ format: 'date-time', description: 'When the app read' })
  at!: string;

  @ApiProperty({ example: 'GET /sandbox/v1/accounts/{accountId}/transactions' })
  endpoint!: string;

  @ApiProperty({ type: [String], description: 'The accounts read' })
  accountIds!: string[];

  @ApiProperty({ type: AccessLogDateRangeView, nullable: true, description: 'The transaction dates asked for' })
  dateRange!: AccessLogDateRangeView | null;

  @ApiProperty({ description: 'Records returned' })
  records!: number;

  @ApiProperty({ nullable: true, type: String })
  requestId!: string | null;
}

export class AccessLogPage {
  @ApiProperty({ type: [AccessLogEntryView] })
  data!: AccessLogEntryView[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last' })
  nextCursor!: string | null;
}
