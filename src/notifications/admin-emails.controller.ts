import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Staff } from '../auth/access.decorator';
import { PageQueryDto, pageSize } from '../common/pagination/pagination';
import { OUTBOX_STATUSES, OutboxStatus } from './outbox-message.entity';
import { OutboxService } from './outbox.service';

class EmailsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES })
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: OutboxStatus;
}

@ApiTags('admin')
@Controller('v1/admin/emails')
export class AdminEmailsController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @Staff('admin')
  @ApiOperation({ summary: 'Emails by status (dead letters: ?status=dead); template data is never shown' })
  list(@Query() query: EmailsQueryDto) {
    return this.outbox.list(query.status, pageSize(query), query.cursor);
  }

  @Post(':id/retry')
  @Staff('admin')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a dead email again' })
  retry(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.outbox.retry(id);
  }
}
