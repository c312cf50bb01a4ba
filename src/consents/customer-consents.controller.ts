import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Customer } from '../auth/access.decorator';
import type { CustomerPrincipal } from '../auth/principal';
import { CurrentCustomer, RequestId } from '../auth/principal';
import { NotFoundError } from '../common/errors/domain-error';
import { PageQueryDto, pageSize } from '../common/pagination/pagination';
import { ConsentsService } from './consents.service';
import { ConsentListQueryDto, NarrowConsentDto } from './dto/consent.dto';
import {
  ConnectedAppPage,
  ConsentDetailView,
  ConsentPage,
  CustomerConsentDetailView,
  RevokedCountView,
} from './dto/consent-view.dto';

/** A malformed id cannot name one of the customer's consents: 404, like any id that is not theirs. */
const consentId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Consent') });
const appId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('App') });

/** The customer API of SPEC "Customer consents" (customer bearer JWT). */
@ApiTags('customer')
@Controller('v1/customer')
export class CustomerConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  @Get('apps')
  @Customer()
  @ApiOperation({ summary: 'Apps you have connected: what their active consents allow, when they last read your data' })
  @ApiOkResponse({ type: ConnectedAppPage })
  apps(@CurrentCustomer() customer: CustomerPrincipal, @Query() query: PageQueryDto): Promise<ConnectedAppPage> {
    return this.consents.connectedApps(customer.customerId, { limit: pageSize(query), cursor: query.cursor });
  }

  @Get('consents')
  @Customer()
  @ApiOperation({ summary: 'Your consents, newest first' })
  @ApiOkResponse({ type: ConsentPage })
  list(@CurrentCustomer() customer: CustomerPrincipal, @Query() query: ConsentListQueryDto): Promise<ConsentPage> {
    return this.consents.listForCustomer(customer.customerId, {
      status: query.status,
      limit: pageSize(query),
      cursor: query.cursor,
    });
  }

  @Get('consents/:consentId')
  @Customer()
  @ApiOperation({ summary: 'One consent with its receipts (the wording you agreed to, sealed with SHA-256)' })
  @ApiOkResponse({ type: CustomerConsentDetailView })
  get(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('consentId', consentId) id: string,
  ): Promise<CustomerConsentDetailView> {
    return this.consents.getForCustomer(customer.customerId, id);
  }

  @Patch('consents/:consentId')
  @Customer()
  @ApiOperation({
    summary:
      'Narrow a consent: drop accounts or scopes, shorten the window or expiry, add restrictions (never widen: 422)',
  })
  @ApiOkResponse({ type: ConsentDetailView })
  narrow(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('consentId', consentId) id: string,
    @Body() body: NarrowConsentDto,
    @RequestId() requestId?: string,
  ): Promise<ConsentDetailView> {
    return this.consents.narrow(customer.customerId, id, body, requestId);
  }

  @Delete('consents/:consentId')
  @Customer()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a consent (again is harmless)' })
  @ApiNoContentResponse({ description: 'Revoked (or already ended)' })
  async revoke(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('consentId', consentId) id: string,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.consents.revokeForCustomer(customer.customerId, id, requestId);
  }

  @Delete('apps/:appId/consents')
  @Customer()
  @ApiOperation({ summary: 'Revoke every consent you gave one app' })
  @ApiOkResponse({ type: RevokedCountView })
  revokeAll(
    @CurrentCustomer() customer: CustomerPrincipal,
    @Param('appId', appId) id: string,
    @RequestId() requestId?: string,
  ): Promise<RevokedCountView> {
    return this.consents.revokeAllForApp(customer.customerId, id, requestId);
  }
}
