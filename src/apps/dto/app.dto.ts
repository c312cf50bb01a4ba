import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DisplayName } from '../../common/text/names';
import { MAX_CSR_PEM_LENGTH } from '../ca/certificate-authority';
import { APP_ENVIRONMENTS, AppEnvironment } from '../credentials/client-secret';
import { SCOPES, SCOPE_NAMES, SECURITY_ATTESTATION, Scope } from '../credentials/scopes';
import { MAX_REDIRECT_URIS, MAX_REDIRECT_URI_LENGTH } from '../redirect-uris';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const scopeList = SCOPE_NAMES.map((s) => `\`${s}\` (${SCOPES[s].tier}): ${SCOPES[s].description}`).join('\n- ');

export class CreateAppDto {
  @ApiProperty({ maxLength: 100 })
  @DisplayName()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiProperty({ maxLength: 1000, description: 'What the app does for customers; reviewers read it beside the scopes' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  description: string;

  @ApiProperty({
    type: [String],
    maxItems: MAX_REDIRECT_URIS,
    description: `1-${MAX_REDIRECT_URIS} exact redirect URIs, each at most ${MAX_REDIRECT_URI_LENGTH} characters: https only (plain http://localhost, 127.0.0.1 or [::1] only in sandbox), no wildcards, fragments or userinfo`,
  })
  @IsArray()
  redirectUris: string[];

  @ApiProperty({
    enum: SCOPE_NAMES,
    isArray: true,
    description: `Scopes from the catalogue (GET /v1/scopes):\n- ${scopeList}`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPE_NAMES.length)
  @ArrayUnique()
  @IsIn(SCOPE_NAMES, { each: true })
  scopes: Scope[];

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'websiteUrl must be an https URL' })
  websiteUrl?: string;
}

export class UpdateAppDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @DisplayName()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Replaces the list; the same rules as at creation (production rules once the app has production access)',
  })
  @IsOptional()
  @IsArray()
  redirectUris?: string[];

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'websiteUrl must be an https URL' })
  websiteUrl?: string;
}

const attestationDoc = (key: keyof typeof SECURITY_ATTESTATION) =>
  `${SECURITY_ATTESTATION[key].title}. ${SECURITY_ATTESTATION[key].explanation}`;

/** Every item must be `true`: each one is a promise the bank relies on (see the explanations). */
export class SecurityAttestationDto {
  @ApiProperty({ description: attestationDoc('tokensEncryptedAtRest') })
  @IsBoolean()
  tokensEncryptedAtRest: boolean;

  @ApiProperty({ description: attestationDoc('leastPrivilege') })
  @IsBoolean()
  leastPrivilege: boolean;

  @ApiProperty({ description: attestationDoc('noCustomerDataInLogs') })
  @IsBoolean()
  noCustomerDataInLogs: boolean;

  @ApiProperty({ description: attestationDoc('breachNotification72h') })
  @IsBoolean()
  breachNotification72h: boolean;

  @ApiProperty({ description: attestationDoc('deleteOnConsentRevocation') })
  @IsBoolean()
  deleteOnConsentRevocation: boolean;
}

export class ProductionAccessDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: {
      'accounts:read': 'We show the customer their accounts in one dashboard so they can pick which to budget.',
    },
    description:
      'For every scope of the app, why the app needs it (20-2000 characters each): what the feature does with the data. Reviewers compare it with the scope.',
  })
  @IsObject()
  scopeJustifications: Record<string, string>;

  @ApiProperty({ maxLength: 256, description: 'Your privacy policy, which must say what you do with bank data' })
  @IsString()
  @MaxLength(256)
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'privacyPolicyUrl must be an https URL' })
  privacyPolicyUrl: string;

  @ApiProperty({ minimum: 1, maximum: 3650, description: 'How many days you keep customer data after you fetched it' })
  @IsInt()
  @Min(1)
  @Max(3650)
  dataRetentionDays: number;

  @ApiProperty({ type: SecurityAttestationDto })
  @IsObject()
  @ValidateNested()
  @Type(() => SecurityAttestationDto)
  securityAttestation: SecurityAttestationDto;
}

export class IssueCredentialDto {
  @ApiProperty({
    enum: APP_ENVIRONMENTS,
    description: 'sandbox works at once; production only for an approved app of an organisation in good standing',
  })
  @IsIn(APP_ENVIRONMENTS)
  environment: AppEnvironment;
}

export class IssueCertificateDto {
  @ApiProperty({
    description:
      'A PEM certificate signing request (PKCS#10) for a key you generated and keep: RSA of at least 2048 bits, or EC P-256 / P-384. e.g. `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key -subj "/CN=my-app"`. The subject you ask for is replaced by your verified organisation name and the app\'s client id.',
    maxLength: MAX_CSR_PEM_LENGTH,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_CSR_PEM_LENGTH)
  csr: string;
}

export const REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'superseded', 'cessationOfOperation'] as const;

export class RevokeCertificateDto {
  @ApiPropertyOptional({
    enum: REVOCATION_REASONS,
    default: 'unspecified',
    description: 'keyCompromise if the private key may have leaked',
  })
  @IsOptional()
  @IsIn(REVOCATION_REASONS)
  reason?: (typeof REVOCATION_REASONS)[number];
}

export class WebhookDto {
  @ApiProperty({
    maxLength: 256,
    description: 'https URL that receives signed events (plain http only to localhost outside production deployments)',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  url: string;
}

export class SuspendAppDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}

export class ClientJwksDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    maxItems: 10,
    description:
      'Public JWKs for private_key_jwt: RSA ≥ 2048 bits (PS256), EC P-256 (ES256) or Ed25519 (EdDSA), each with a unique kid; no private members. An empty list removes the JWKS.',
  })
  @IsArray()
  keys: unknown[];
}
