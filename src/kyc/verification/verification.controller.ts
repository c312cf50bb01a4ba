import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SubmissionAnswer, VerificationAnswer } from './dto/verification-view.dto';
import { OrganisationMember } from '../../auth/access.decorator';
import type { Principal } from '../../auth/principal';
import { CurrentPrincipal, RequestId } from '../../auth/principal';
import { VerificationService, VerificationView } from './verification.service';

@ApiTags('kyb')
@Controller('v1/organisations/:orgId/verification')
export class VerificationController {
  constructor(private readonly verification: VerificationService) {}

  @Get()
  @OrganisationMember()
  @ApiOperation({
    summary: 'Status, risk level, what is due (currentlyDue, eventuallyDue, pastDue, errors), checks and reasons',
  })
  @ApiOkResponse({ type: VerificationAnswer })
  get(@Param('orgId') orgId: string): Promise<VerificationView> {
    return this.verification.view(orgId);
  }

  @Post('submit')
  @OrganisationMember('owner', 'admin')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit for verification: 202 when nothing is due, 422 listing what is, 409 when already submitted',
  })
  @ApiAcceptedResponse({ type: SubmissionAnswer })
  submit(@Param('orgId') orgId: string, @CurrentPrincipal() principal: Principal, @RequestId() requestId?: string) {
    return this.verification.submit(orgId, { type: 'developer', id: principal.userId }, requestId);
  }
}
