import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Staff } from '../auth/access.decorator';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, RequestId } from '../auth/principal';
import { pageSize } from '../common/pagination/pagination';
import { DecisionDto, SuspendDto, TasksQueryDto } from './dto/decision.dto';
import { CaseViewsService } from './case-views.service';
import { OrganisationSuspensionsService } from './organisation-suspensions.service';
import { ReviewDecisionsService } from './review-decisions.service';
import { ReviewTasksService } from './review-tasks.service';
import {
  CaseView,
  DecisionResultView,
  ReasonCodeList,
  ReviewTaskPage,
  ReviewTaskView,
  SuspensionResultView,
} from './dto/review.views';
import { TaskView } from './task-view';
import { REASON_CODES } from './review.rules';

@ApiTags('review')
@Controller('v1/review')
export class ReviewController {
  constructor(
    private readonly tasks: ReviewTasksService,
    private readonly decisions: ReviewDecisionsService,
    private readonly cases: CaseViewsService,
    private readonly suspensions: OrganisationSuspensionsService,
  ) {}

  @Get('reason-codes')
  @Staff()
  @ApiOperation({ summary: 'The reason codes a decision picks from, each with its meaning' })
  @ApiOkResponse({ type: ReasonCodeList })
  reasonCodes() {
    return { data: Object.entries(REASON_CODES).map(([code, text]) => ({ code, text })) };
  }

  @Get('tasks')
  @Staff()
  @ApiOperation({ summary: 'Tasks by status and type, newest first' })
  @ApiOkResponse({ type: ReviewTaskPage })
  list(@Query() query: TasksQueryDto) {
    return this.tasks.list({ status: query.status, type: query.type, limit: pageSize(query), cursor: query.cursor });
  }

  @Post('tasks/claim')
  @Staff()
  @ApiOperation({
    summary: 'Claim the next task for 30 minutes (second approvals first, then risk, then due time); 204 when none',
  })
  @ApiOkResponse({ type: ReviewTaskView })
  @ApiNoContentResponse({ description: 'No task is waiting' })
  async claim(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
    @RequestId() requestId?: string,
  ): Promise<TaskView | undefined> {
    const task = await this.tasks.claim(principal, requestId);
    if (!task) res.status(204);
    else res.status(200);
    return task;
  }

  @Get('tasks/:id')
  @Staff()
  @ApiOperation({
    summary: 'The case: organisation, people, documents with check results, history, previous decisions',
  })
  @ApiOkResponse({ type: CaseView })
  case(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.cases.caseView(id);
  }

  @Post('tasks/:id/release')
  @Staff()
  @HttpCode(204)
  async release(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.tasks.release(id, principal, requestId);
  }

  @Post('tasks/:id/decision')
  @Staff()
  @HttpCode(200)
  @ApiOperation({ summary: 'approve | reject | request_info; only the holder of the current, unexpired lease' })
  @ApiOkResponse({ type: DecisionResultView })
  decide(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: DecisionDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.decisions.decide(id, principal, body, requestId);
  }

  @Post('organisations/:orgId/suspend')
  @Staff('senior_reviewer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Suspend an approved organisation and its apps’ production access at once' })
  @ApiOkResponse({ type: SuspensionResultView })
  suspend(
    @Param('orgId', new ParseUUIDPipe()) orgId: string,
    @Body() body: SuspendDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.suspensions.setSuspended(orgId, true, body.reason, principal, requestId);
  }

  @Post('organisations/:orgId/reinstate')
  @Staff('senior_reviewer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give a suspended organisation back its approval and its apps’ production access' })
  @ApiOkResponse({ type: SuspensionResultView })
  reinstate(
    @Param('orgId', new ParseUUIDPipe()) orgId: string,
    @Body() body: SuspendDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.suspensions.setSuspended(orgId, false, body.reason, principal, requestId);
  }
}
