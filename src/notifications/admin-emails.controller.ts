import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
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

/** An email of the outbox as an admin lists it (outbox.service.ts OutboxMessageView); no template data. */
class AdminEmailView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  recipient!: string;

  @ApiProperty({ example: 'organisation_approved' })
  template!: string;

  @ApiProperty({ enum: OUTBOX_STATUSES })
  status!: string;

  @ApiProperty({ description: 'Sending attempts so far' })
  attempts!: number;

  @ApiProperty({ nullable: true, type: String, description: 'Why the last attempt failed' })
  lastError!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  sentAt!: string | null;
}

/** `GET /v1/admin/emails`. */
class AdminEmailPage {
  @ApiProperty({ type: [AdminEmailView] })
  data!: AdminEmailView[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

@ApiTags('admin')
@Controller('v1/admin/emails')
export class AdminEmailsController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @Staff('admin')
  @ApiOperation({ summary: 'Emails by status (dead letters: ?status=dead); template data is never shown' })
  @ApiOkResponse({ type: AdminEmailPage })
  list(@Query() query: EmailsQueryDto) {
    return this.outbox.list(query.status, pageSize(query), query.cursor);
  }

  @Post(':id/retry')
  @Staff('admin')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a dead email again' })
  @ApiAcceptedResponse({ type: AdminEmailView })
  retry(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.outbox.retry(id);
  }
}
