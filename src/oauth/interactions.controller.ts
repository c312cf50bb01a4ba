import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Customer } from '../auth/access.decorator';
import type { CustomerPrincipal } from '../auth/principal';
import { CurrentCustomer } from '../auth/principal';
import { InteractionDecisionDto } from './dto/interaction-decision.dto';
import { InteractionDecisionAnswer, InteractionView } from './dto/interaction-view.dto';
import { InteractionsService } from './interactions.service';

/** The consent screen's JSON API (SPEC "OAuth 2 authorisation server"; customer bearer JWT). */
@ApiTags('customer')
@Controller('v1/oauth/interactions')
export class InteractionsController {
  constructor(private readonly interactions: InteractionsService) {}

  @Get(':uid')
  @Customer()
  @ApiOperation({ summary: 'An app’s pending request for your consent: who asks, for what, and your accounts to pick' })
  @ApiOkResponse({ type: InteractionView })
  show(@CurrentCustomer() customer: CustomerPrincipal, @Param('uid') uid: string): Promise<InteractionView> {
    return this.interactions.show(uid, customer.sub);
  }

  @Post(':uid/decision')
  @HttpCode(200)
  @Customer()
  @ApiOperation({
    summary: 'Approve (picking accounts, optionally narrowing) or deny; returns where the browser goes next',
  })
  @ApiOkResponse({ type: InteractionDecisionAnswer })
  decide(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('uid') uid: string,
    @Body() body: InteractionDecisionDto,
  ): Promise<InteractionDecisionAnswer> {
    return this.interactions.decide(uid, customer, body);
  }
}
