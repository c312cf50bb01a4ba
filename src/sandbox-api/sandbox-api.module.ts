import { Module } from '@nestjs/common';
import { ConsentsModule } from '../consents/consents.module';
import { ConsentDecisionsModule } from '../consents/decision/consent-decisions.module';
import { SandboxModule } from '../customers/sandbox/sandbox.module';
import { SandboxApiController } from './sandbox-api.controller';
import { SandboxDataService } from './sandbox-data.service';

/**
 * The sandbox data API (SPEC "Sandbox data API"). Loaded by the composition root only outside
 * production and only in processes that serve HTTP (it needs the decision point's replica).
 * ACCESS_TOKEN_RESOLVER comes from the global OAuthPortsModule.
 */
@Module({
  imports: [ConsentsModule, ConsentDecisionsModule, SandboxModule],
  controllers: [SandboxApiController],
  providers: [SandboxDataService],
  exports: [SandboxDataService],
})
export class SandboxApiModule {}
