import { ApiProperty } from '@nestjs/swagger';

/** Where the app stands on its way to production (SPEC "Apps and credentials"). */
export class AppProductionView {
  @ApiProperty({ description: 'none, requested, in_review, approved, rejected, info_requested, …' })
  status!: string;

  @ApiProperty({ type: [String], nullable: true, description: 'Scopes granted for production, once approved' })
  grantedScopes!: string[] | null;

  @ApiProperty({ description: 'Whether production credentials work now (organisation verified, nothing suspended)' })
  inGoodStanding!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Why production credentials do not work, if they do not' })
  problem!: string | null;
}

/** When and why the app was suspended. */
export class AppSuspensionView {
  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;
}

/** An app as its organisation's members see it; never a secret. */
export class AppAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  organisationId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ type: String, nullable: true })
  websiteUrl!: string | null;

  @ApiProperty({ type: [String] })
  redirectUris!: string[];

  @ApiProperty({ type: [String], description: 'Scopes from the catalogue (GET /v1/scopes)' })
  scopes!: string[];

  @ApiProperty()
  sandboxClientId!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The production client id; it works once production access is approved',
  })
  productionClientId!: string | null;

  @ApiProperty({ type: AppProductionView })
  production!: AppProductionView;

  @ApiProperty({ type: AppSuspensionView, nullable: true })
  suspended!: AppSuspensionView | null;

  @ApiProperty({ type: String, nullable: true })
  webhookUrl!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** `POST …/apps`: the new app with its sandbox client id and secret. The secret is in this answer only. */
export class CreatedAppAnswer extends AppAnswer {
  @ApiProperty({ description: 'The sandbox client id' })
  clientId!: string;

  @ApiProperty({ description: 'Shown this once; Gatehouse keeps only a hash' })
  clientSecret!: string;

  @ApiProperty({ enum: ['sandbox'] })
  environment!: 'sandbox';
}

/** A page of apps. */
export class AppList {
  @ApiProperty({ type: [AppAnswer] })
  data!: AppAnswer[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

/** A reason code and its text, as reviewers give them. */
export class ReasonView {
  @ApiProperty()
  code!: string;

  @ApiProperty()
  text!: string;
}

/** Something a reviewer asked for. */
export class RequestedItemView {
  @ApiProperty()
  requirement!: string;

  @ApiProperty()
  message!: string;
}

/** One production-access request and its outcome. */
export class ProductionAccessAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  status!: string;

  @ApiProperty({ type: [String] })
  scopes!: string[];

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  scopeJustifications!: Record<string, string>;

  @ApiProperty()
  privacyPolicyUrl!: string;

  @ApiProperty({ description: 'Days' })
  dataRetentionDays!: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'boolean' } })
  securityAttestation!: Record<string, boolean>;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  reviewTaskId!: string | null;

  @ApiProperty({ type: [ReasonView], nullable: true })
  reasons!: ReasonView[] | null;

  @ApiProperty({ type: [RequestedItemView], nullable: true })
  requestedItems!: RequestedItemView[] | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt!: string | null;
}

/** One item of the security attestation, with why the bank asks it (src/apps/credentials/scopes.ts). */
export class AttestationItemView {
  @ApiProperty({ description: 'The field of `securityAttestation` it answers' })
  item!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  explanation!: string;
}

/** `GET /v1/security-attestation`. */
export class AttestationList {
  @ApiProperty({ type: [AttestationItemView] })
  data!: AttestationItemView[];
}

/** What production access to a scope's tier needs. */
export class TierRequirementsView {
  @ApiProperty({ description: 'The organisation must be authorised by the FCA' })
  fcaRegulated!: boolean;

  @ApiProperty({ description: 'The app must hold a Gatehouse-issued client certificate' })
  clientCertificate!: boolean;

  @ApiProperty({ description: 'The decision needs a senior reviewer' })
  seniorReview!: boolean;
}

/** One scope of the catalogue. */
export class ScopeView {
  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: ['low', 'medium', 'high'] })
  tier!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ description: 'What it lets an app see or do, in plain words' })
  description!: string;

  @ApiProperty({ type: TierRequirementsView })
  productionRequires!: TierRequirementsView;
}

/** `GET /v1/scopes`. */
export class ScopeList {
  @ApiProperty({ type: [ScopeView] })
  data!: ScopeView[];
}

/** A client certificate signed by Gatehouse's CA. */
export class CertificateAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  serialNumber!: string;

  @ApiProperty({ description: 'SHA-256 of the DER certificate' })
  thumbprint!: string;

  @ApiProperty()
  subject!: string;

  @ApiProperty()
  publicKeyAlgorithm!: string;

  @ApiProperty({ format: 'date-time' })
  notBefore!: string;

  @ApiProperty({ format: 'date-time' })
  notAfter!: string;

  @ApiProperty({ enum: ['active', 'expired', 'revoked'] })
  status!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  revocationReason!: string | null;

  @ApiProperty({ description: 'PEM' })
  certificate!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

/** The webhook: its URL and the events sent to it. */
export class WebhookAnswer {
  @ApiProperty({ type: String, nullable: true })
  url!: string | null;

  @ApiProperty({ type: [String] })
  events!: string[];
}

/** `PUT …/webhook`: the webhook with its new signing secret, shown once. */
export class WebhookSetAnswer extends WebhookAnswer {
  @ApiProperty({ description: 'gatehouse_whsec_…, shown this once' })
  secret!: string;
}

/** One attempt to deliver an event. */
export class DeliveryAttemptView {
  @ApiProperty()
  attempt!: number;

  @ApiProperty({ type: Number, nullable: true })
  statusCode!: number | null;

  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiProperty()
  durationMs!: number;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

/** One event sent (or being sent) to the webhook. */
export class DeliveryAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  eventType!: string;

  @ApiProperty()
  url!: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] })
  status!: string;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  lastStatusCode!: number | null;

  @ApiProperty({ type: String, nullable: true })
  lastError!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  payload!: Record<string, unknown>;

  @ApiProperty({ type: [DeliveryAttemptView] })
  log!: DeliveryAttemptView[];
}

/** A page of the delivery log. */
export class DeliveryList {
  @ApiProperty({ type: [DeliveryAnswer] })
  data!: DeliveryAnswer[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

/** `GET …/production-access`: the app's requests, newest first, on one page. */
export class ProductionAccessList {
  @ApiProperty({ type: [ProductionAccessAnswer] })
  data!: ProductionAccessAnswer[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: one page holds them all' })
  nextCursor!: null;
}

/** `GET …/certificates`: the app's certificates, on one page. */
export class CertificateList {
  @ApiProperty({ type: [CertificateAnswer] })
  data!: CertificateAnswer[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: one page holds them all' })
  nextCursor!: null;
}
