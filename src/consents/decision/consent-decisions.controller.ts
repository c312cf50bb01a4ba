import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/access.decorator';
import { ConsentDecisionsService, DecisionAnswer } from './consent-decisions.service';
import { ConsentDecisionAnswerDto, ConsentDecisionRequestDto } from '../dto/consent-decision.dto';
import { GatewayKeyGuard } from './gateway-key';

/**
 * The decision point for the bank's API gateway. Not a session route: `@Public()` opts out of the
 * session guard and `GatewayKeyGuard` admits the gateway's key instead.
 */
@ApiTags('gateway')
@Controller('v1/consent-decisions')
export class ConsentDecisionsController {
  constructor(private readonly decisions: ConsentDecisionsService) {}

  @Post()
  @Public()
  @UseGuards(GatewayKeyGuard)
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiBody({ type: ConsentDecisionRequestDto })
  @ApiOkResponse({ type: ConsentDecisionAnswerDto })
  @ApiOperation({
    summary:
      'May this app do this now? For the bank’s API gateway (Authorization: Bearer <GATEWAY_API_KEY>). ' +
      '`customerId` is the customer’s `sub` as the bank’s identity provider knows it.',
  })
  // The body is checked by hand in the service (the hot path skips class-validator); the DTO documents it.
  decide(@Body() body: unknown): Promise<DecisionAnswer> {
    return this.decisions.decideRequest(body);
  }
}
