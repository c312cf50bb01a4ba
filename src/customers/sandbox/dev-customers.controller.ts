import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/access.decorator';
import { CustomerTokens } from '../customer-tokens.service';
import { CustomerTokenDto, DevCustomerTokenAnswer, SandboxCustomerList } from '../dto/customer-token.dto';
import { SandboxService } from './sandbox.service';

/** Customer tokens live this long, in seconds. */
const TOKEN_TTL_S = 3600;

/**
 * Sign-in as a sandbox customer, for people and tests (SPEC "Customers and the sandbox bank").
 * Its module is loaded only outside production, so in production these routes do not exist (404).
 */
@ApiTags('development')
@Controller('dev')
export class DevCustomersController {
  constructor(
    private readonly sandbox: SandboxService,
    private readonly tokens: CustomerTokens,
  ) {}

  @Get('customers')
  @Public()
  @ApiOperation({ summary: 'The synthetic sandbox customers (not in production)' })
  @ApiOkResponse({ type: SandboxCustomerList })
  async list(): Promise<SandboxCustomerList> {
    return { data: await this.sandbox.list() };
  }

  @Post('customer-token')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'A customer JWT for a sandbox customer, signed by the development key (not in production)' })
  @ApiOkResponse({ type: DevCustomerTokenAnswer })
  async token(@Body() body: CustomerTokenDto): Promise<DevCustomerTokenAnswer> {
    const customer = await this.sandbox.get(body.customerId);
    const accessToken = await this.tokens.mint(customer.id, customer.email, TOKEN_TTL_S);
    return { accessToken, tokenType: 'Bearer', expiresIn: TOKEN_TTL_S, customer };
  }
}
