import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppsService } from '../apps/apps.service';
import { OrganisationMember } from '../auth/access.decorator';
import { PageQueryDto, pageSize } from '../common/pagination/pagination';
import { ConsentsService } from './consents.service';
import { AppConsentsAnswer } from './dto/app-consents-view.dto';

/** The developer's view of their app's consents (SPEC "Customer consents": Developers). */
@ApiTags('apps')
@Controller('v1/organisations/:orgId/apps/:appId/consents')
export class AppConsentsController {
  constructor(
    private readonly apps: AppsService,
    private readonly consents: ConsentsService,
  ) {}

  @Get()
  @OrganisationMember()
  @ApiOperation({ summary: 'Counts by status and the app’s consents: scopes, constraints, dates (no customer data)' })
  @ApiOkResponse({ type: AppConsentsAnswer })
  async list(@Param('orgId') orgId: string, @Param('appId') appId: string, @Query() query: PageQueryDto) {
    const app = await this.apps.find(orgId, appId);
    return this.consents.forApp(app.id, { limit: pageSize(query), cursor: query.cursor });
  }
}
