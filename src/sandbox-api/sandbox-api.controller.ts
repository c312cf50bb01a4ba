import { Controller, Get, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../auth/access.decorator';
import { ValidationFailedError } from '../common/errors/domain-error';
import { AccountView, BalanceView, SandboxDataService, TransactionView } from './sandbox-data.service';
import { parseTransactionsQuery } from './transactions-query';

type DataApiRequest = Request & { id?: string };
const requestIdOf = (req: DataApiRequest) => (typeof req.id === 'string' ? req.id : null);

/**
 * The sandbox data API for apps (SPEC "Sandbox data API"). Not a session route: `@Public()` opts out
 * of the session guard; the OAuth access token is checked by SandboxDataService on every request.
 */
@ApiTags('sandbox data API')
@ApiBearerAuth()
@Controller('sandbox/v1/accounts')
export class SandboxApiController {
  constructor(private readonly data: SandboxDataService) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'The accounts the consent grants (scope accounts:read)',
  })
  async accounts(@Req() req: DataApiRequest): Promise<{ data: AccountView[] }> {
    return this.data.accounts(await this.data.caller(req), requestIdOf(req));
  }

  @Get(':accountId/balances')
  @Public()
  @ApiOperation({
    summary: 'The booked balance of a granted account (scope balances:read)',
  })
  async balances(@Req() req: DataApiRequest, @Param('accountId') accountId: string): Promise<{ data: BalanceView[] }> {
    return this.data.balances(await this.data.caller(req), accountId, requestIdOf(req));
  }

  @Get(':accountId/transactions')
  @Public()
  @ApiOperation({
    summary:
      'Transactions of a granted account the consent allows (scope transactions:read), newest first, in cursor pages',
  })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'YYYY-MM-DD, inclusive',
  })
  @ApiQuery({
    name: 'to',
    required: false,
    description: 'YYYY-MM-DD, inclusive',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: '1–200, default 50',
  })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'nextCursor of the previous page',
  })
  async transactions(
    @Req() req: DataApiRequest,
    @Param('accountId') accountId: string,
  ): Promise<{ data: TransactionView[]; nextCursor: string | null }> {
    const caller = await this.data.caller(req);
    const query = parseTransactionsQuery(req.query as Record<string, unknown>);
    if (Array.isArray(query)) throw new ValidationFailedError(query);
    return this.data.transactions(caller, accountId, query, requestIdOf(req));
  }
}
