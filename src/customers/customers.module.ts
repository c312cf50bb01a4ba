import { Module } from '@nestjs/common';
import { BrowserSessionsModule } from '../auth/browser-sessions';
import { CUSTOMER_AUTHENTICATOR } from '../auth/ports';
import { CustomerTokens } from './customer-tokens.service';
import { CustomersController } from './customers.controller';
import { CustomersService } from './customers.service';

/** Bank customers: token verification, the `customers` table; binds the guard's CUSTOMER_AUTHENTICATOR port. */
@Module({
  imports: [BrowserSessionsModule],
  controllers: [CustomersController],
  providers: [CustomerTokens, CustomersService, { provide: CUSTOMER_AUTHENTICATOR, useExisting: CustomersService }],
  exports: [CustomerTokens, CustomersService, CUSTOMER_AUTHENTICATOR],
})
export class CustomersModule {}
