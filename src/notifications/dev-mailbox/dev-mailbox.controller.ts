import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/access.decorator';
import { Page, PageQueryDto, pageSize } from '../../common/pagination/pagination';
import { MailboxList, MailboxMessageView } from './dev-mailbox.dto';
import { DevMailboxService, MailboxItem, MailboxMessage } from './dev-mailbox.service';

/**
 * The development mailbox (SPEC "Web console": outside production, the emails Gatehouse wrote
 * because no SMTP server is configured). Its module is not loaded in production, so there these
 * routes do not exist (404), like `/dev/customers`; with SMTP_URL set they answer 404 too.
 */
@ApiTags('development')
@Controller('dev/mailbox')
export class DevMailboxController {
  constructor(private readonly mailbox: DevMailboxService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Emails written under var/mail, newest first (not in production, nor with SMTP_URL set)' })
  @ApiOkResponse({ type: MailboxList })
  list(@Query() query: PageQueryDto): Promise<Page<MailboxItem>> {
    return this.mailbox.list(pageSize(query), query.cursor);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'One email of the development mailbox: subject, text and HTML parts' })
  @ApiOkResponse({ type: MailboxMessageView })
  get(@Param('id') id: string): Promise<MailboxMessage> {
    return this.mailbox.get(id);
  }
}
