import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Customer } from '../auth/access.decorator';
import type { CustomerPrincipal } from '../auth/principal';
import { CurrentCustomer } from '../auth/principal';
import { CustomerView, CustomersService } from './customers.service';

@ApiTags('customer')
@Controller('v1/customer')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get('me')
  @Customer()
  @ApiOperation({ summary: 'The signed-in bank customer, as Gatehouse knows them' })
  me(@CurrentCustomer() customer: CustomerPrincipal): Promise<CustomerView> {
    return this.customers.get(customer.customerId);
  }
}
