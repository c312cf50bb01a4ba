import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Customer } from '../../auth/access.decorator';
import type { CustomerPrincipal } from '../../auth/principal';
import { CurrentCustomer } from '../../auth/principal';
import { NotFoundError } from '../../common/errors/domain-error';
import { PageQueryDto, pageSize } from '../../common/pagination/pagination';
import { AccessLogPage } from '../dto/consent-view.dto';
import { AccessLogService } from './access-log.service';

/** A malformed id cannot name one of the customer's consents: 404, like any id that is not theirs. */
const consentId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Consent') });

/** The customer's view of a consent's access log (SPEC "Customer consents", customer bearer JWT). */
@ApiTags('customer')
@Controller('v1/customer/consents')
export class AccessLogController {
  constructor(private readonly accessLog: AccessLogService) {}

  @Get(':consentId/access-log')
  @Customer()
  @ApiOperation({ summary: 'Every read the app made under this consent, newest first' })
  @ApiOkResponse({ type: AccessLogPage })
  list(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('consentId', consentId) id: string,
    @Query() query: PageQueryDto,
  ): Promise<AccessLogPage> {
    return this.accessLog.listForCustomer(customer.customerId, id, { limit: pageSize(query), cursor: query.cursor });
  }
}
