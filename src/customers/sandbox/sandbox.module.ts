import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers.module';
import { DevCustomersController } from './dev-customers.controller';
import { SandboxService } from './sandbox.service';

/**
 * The sandbox bank and its development routes. The composition root loads it only when
 * NODE_ENV is not production, so neither the seeding nor `/dev/*` exists there.
 */
@Module({
  imports: [CustomersModule],
  controllers: [DevCustomersController],
  providers: [SandboxService],
  exports: [SandboxService],
})
export class SandboxModule {}
