import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONSENT_CATEGORIES, CONSENT_SCOPES, DECISION_REASONS } from '../consent';

/*
 * OpenAPI documentation of POST /v1/consent-decisions. The body is checked by hand
 * (src/consents/decision/decision-request.ts) because this is the hot path; these classes only
 * describe it.
 */

export class DecisionResourceDto {
  @ApiPropertyOptional({ description: 'The account read' })
  accountId?: string;

  @ApiPropertyOptional({
    description: 'Date of the transaction read: YYYY-MM-DD, or an ISO 8601 timestamp (its date part as written)',
    example: '2026-03-05',
  })
  transactionDate?: string;

  @ApiPropertyOptional({ description: 'Merchant name (compared case-insensitively)' })
  merchant?: string;

  @ApiPropertyOptional({ enum: CONSENT_CATEGORIES })
  category?: string;
}

export class ConsentDecisionRequestDto {
  @ApiPropertyOptional({ description: 'The access token the app presented; or send clientId and customerId' })
  accessToken?: string;

  @ApiPropertyOptional({ description: "The app's OAuth client id (sandbox or production)" })
  clientId?: string;

  @ApiPropertyOptional({
    description:
      "The customer as the bank knows them: the `sub` of the bank's identity tokens (not Gatehouse's internal id)",
  })
  customerId?: string;

  @ApiProperty({ enum: CONSENT_SCOPES })
  scope!: string;

  @ApiPropertyOptional({ type: DecisionResourceDto })
  resource?: DecisionResourceDto;
}

export class DecisionConstraintsDto {
  @ApiProperty({ type: [String] })
  accountIds!: string[];

  @ApiProperty({ nullable: true, example: { from: '2026-01-01', to: '2026-06-30' } })
  transactionWindow!: { from: string; to: string } | null;

  @ApiProperty({ type: [String], nullable: true })
  merchants!: string[] | null;

  @ApiProperty({ type: [String], nullable: true })
  categories!: string[] | null;
}

export class ConsentDecisionAnswerDto {
  @ApiProperty()
  allow!: boolean;

  @ApiProperty({ enum: DECISION_REASONS })
  reason!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The consent decided on; null when there is none' })
  consentId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'ISO 8601 UTC' })
  expiresAt!: string | null;

  @ApiProperty({ type: DecisionConstraintsDto, nullable: true })
  constraints!: DecisionConstraintsDto | null;
}
