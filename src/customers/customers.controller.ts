import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Customer, Public } from '../auth/access.decorator';
import { BrowserSessions, assertJsonBody } from '../auth/browser-sessions';
import type { CustomerPrincipal } from '../auth/principal';
import { CurrentCustomer } from '../auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { CustomerView, CustomersService } from './customers.service';
import { CustomerSessionAnswer, CustomerSessionDto, CustomerSessionView } from './dto/customer-session.dto';

@ApiTags('customer')
@Controller('v1/customer')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly browserSessions: BrowserSessions,
  ) {}

  @Get('me')
  @Customer()
  @ApiOperation({ summary: 'The signed-in bank customer, as Gatehouse knows them' })
  me(@CurrentCustomer() customer: CustomerPrincipal): Promise<CustomerView> {
    return this.customers.get(customer.customerId);
  }

  @Post('session')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Start a browser session with the customer's JWT (kept in the HttpOnly cookie gh_customer until it expires)",
    description:
      'The token is verified exactly as on every customer route (401 when it is not accepted). The answer carries ' +
      'the CSRF token that writes made with the cookie must send as X-CSRF-Token. The body must be application/json.',
  })
  @ApiOkResponse({ type: CustomerSessionAnswer })
  async startSession(
    @Body() body: CustomerSessionDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CustomerSessionAnswer> {
    assertJsonBody(req);
    const result = await this.customers.authenticate(body.token);
    if (!result.ok) throw new DomainError('unauthenticated', result.reason, {}, { 'WWW-Authenticate': 'Bearer' });
    const csrfToken = this.browserSessions.start(res, 'customer', body.token, result.expiresAt);
    return { sub: result.customer.sub, expiresAt: result.expiresAt.toISOString(), csrfToken };
  }

  @Get('session')
  @Customer()
  @ApiOperation({ summary: 'Who is signed in: 401 when the browser session (or bearer token) is missing or expired' })
  @ApiOkResponse({ type: CustomerSessionView })
  session(@CurrentCustomer() customer: CustomerPrincipal): CustomerSessionView {
    return { sub: customer.sub };
  }

  @Delete('session')
  @Customer()
  @HttpCode(204)
  @ApiOperation({ summary: 'End the browser session: clears the gh_customer and gh_customer_csrf cookies' })
  endSession(@Res({ passthrough: true }) res: Response): void {
    this.browserSessions.end(res, 'customer');
  }
}
