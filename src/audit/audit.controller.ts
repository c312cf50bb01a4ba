import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Staff } from '../auth/access.decorator';
import { pageSize } from '../common/pagination/pagination';
import { AuditQueryDto } from './dto/audit-query.dto';
import { AuditEntryPage, AuditVerifyView } from './dto/audit.views';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Staff('senior_reviewer', 'admin')
  @ApiOperation({ summary: 'Audit entries, newest first, by subject' })
  @ApiOkResponse({ type: AuditEntryPage })
  list(@Query() query: AuditQueryDto) {
    return this.audit.list(
      { subjectType: query.subjectType, subjectId: query.subjectId },
      pageSize(query),
      query.cursor,
    );
  }

  @Get('verify')
  @Staff('senior_reviewer', 'admin')
  @ApiOperation({ summary: 'Walk the hash chain: {ok, checked, firstBrokenId}' })
  @ApiOkResponse({ type: AuditVerifyView })
  verify() {
    return this.audit.verify();
  }

  @Get('export')
  @Staff('senior_reviewer', 'admin')
  @ApiOperation({
    summary: 'A verifiable extract for a regulator: entries, hashes, head, latest signed checkpoint and the public key',
  })
  export() {
    return this.audit.exportChain();
  }
}
