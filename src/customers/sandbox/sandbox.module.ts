import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers.module';
import { DevCustomersController } from './dev-customers.controller';
import { SandboxBankReader } from './sandbox-bank.reader';
import { SandboxService } from './sandbox.service';

/**
 * The sandbox bank, its development routes and its reader for the sandbox data API. The composition root loads it only when
 * NODE_ENV is not production, so neither the seeding nor `/dev/*` exists there.
 */
@Module({
  imports: [CustomersModule],
  controllers: [DevCustomersController],
  providers: [SandboxService, SandboxBankReader],
  exports: [SandboxService, SandboxBankReader],
})
export class SandboxModule {}
