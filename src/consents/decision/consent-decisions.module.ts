import { Module } from '@nestjs/common';
import { ConsentDecisionsController } from './consent-decisions.controller';
import { ConsentDecisionsService } from './consent-decisions.service';
import { ConsentReplica } from './consent-replica';
import { GatewayKey, GatewayKeyGuard } from './gateway-key';

/**
 * The decision point (SPEC "Decision point"): the replica of active consents, POST
 * /v1/consent-decisions for the bank's gateway, and `ConsentDecisionsService.decide` for the data
 * API. Loaded only by processes that serve HTTP (role api or all).
 */
@Module({
  controllers: [ConsentDecisionsController],
  providers: [ConsentReplica, ConsentDecisionsService, GatewayKey, GatewayKeyGuard],
  exports: [ConsentReplica, ConsentDecisionsService],
})
export class ConsentDecisionsModule {}
