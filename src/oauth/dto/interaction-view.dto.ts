import { ApiProperty } from '@nestjs/swagger';
import { TransactionWindowView } from '../../consents/dto/consent-view.dto';
import { SCOPE_NAMES } from '../../apps/credentials/scopes';
import { CONSENT_CATEGORIES } from '../../consents/consent';

/**
 * What the consent screen shows (SPEC "OAuth 2 authorisation server", the consent screen) and what
 * the decision answers, as the OpenAPI document declares them for the web console's typed client.
 */

export class InteractionAppView {
  @ApiProperty({ description: "The app's name" })
  name!: string;

  @ApiProperty({ description: "The legal name of the app's organisation" })
  organisationName!: string;

  @ApiProperty({ description: "Whether the bank's reviewers have verified the organisation (KYB approved)" })
  organisationVerified!: boolean;

  @ApiProperty({ enum: ['sandbox', 'production'], description: 'Sandbox apps read synthetic data only' })
  environment!: 'sandbox' | 'production';
}

export class InteractionScopeView {
  @ApiProperty({ enum: SCOPE_NAMES })
  scope!: string;

  @ApiProperty({ description: 'The scope’s short name' })
  title!: string;

  @ApiProperty({ description: 'What the scope lets the app see or do, in plain words' })
  description!: string;
}

export class InteractionAccountView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ example: 'current' })
  type!: string;

  @ApiProperty({ example: 'GBP' })
  currency!: string;

  @ApiProperty({ example: '****1234' })
  maskedNumber!: string;
}

export class InteractionView {
  @ApiProperty()
  uid!: string;

  @ApiProperty({ type: InteractionAppView })
  app!: InteractionAppView;

  @ApiProperty({ type: [InteractionScopeView], description: 'What the app asks to see, in the catalogue’s words' })
  scopes!: InteractionScopeView[];

  @ApiProperty({ type: TransactionWindowView, nullable: true, description: 'null: transactions of any date' })
  transactionWindow!: TransactionWindowView | null;

  @ApiProperty({ type: [String], nullable: true, description: 'null: any merchant' })
  merchants!: string[] | null;

  @ApiProperty({ type: [String], nullable: true, enum: CONSENT_CATEGORIES, description: 'null: any category' })
  categories!: string[] | null;

  @ApiProperty({ format: 'date-time', description: 'What the app asked for, or the longest consent allowed' })
  expiresAt!: string;

  @ApiProperty({ type: [InteractionAccountView], description: "The customer's accounts to pick from" })
  accounts!: InteractionAccountView[];

  @ApiProperty({ format: 'date-time', description: 'When this request can no longer be decided' })
  decideBy!: string;
}

export class InteractionDecisionAnswer {
  @ApiProperty({
    description:
      "Where the browser goes next: the authorization server's resume URL, which ends at the app's redirect URI",
  })
  redirectTo!: string;
}
