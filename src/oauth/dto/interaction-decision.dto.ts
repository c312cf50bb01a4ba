import { ApiProperty } from '@nestjs/swagger';
import { IsIn, ValidateIf, IsDefined } from 'class-validator';
import { NarrowConsentDto } from '../../consents/dto/consent.dto';

export const INTERACTION_DECISIONS = ['approve', 'deny'] as const;
export type InteractionDecision = (typeof INTERACTION_DECISIONS)[number];

/**
 * POST /v1/oauth/interactions/:uid/decision. Approving needs the accounts picked; every other
 * field narrows what the app asked for (absent: as asked) and may never widen it (422).
 */
export class InteractionDecisionDto extends NarrowConsentDto {
  @ApiProperty({ enum: INTERACTION_DECISIONS })
  @IsIn(INTERACTION_DECISIONS)
  decision: InteractionDecision;

  @ValidateIf((o: InteractionDecisionDto) => o.decision === 'approve')
  @IsDefined({ message: 'accountIds: pick at least one account to approve' })
  declare accountIds?: string[];
}
