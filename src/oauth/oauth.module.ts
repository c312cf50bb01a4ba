import { Global, Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { ConsentsModule } from '../consents/consents.module';
import { CustomersModule } from '../customers/customers.module';
import { ACCESS_TOKEN_RESOLVER, CONSENT_GRANT_REVOKER } from '../consents/ports';
import { InteractionsController } from './interactions.controller';
import { InteractionsService } from './interactions.service';
import { OAuthGrantsService } from './oauth-grants.service';
import { MtlsListener } from './mtls-listener';
import { OAuthService } from './oauth.service';

/**
 * The authorisation server (SPEC "OAuth 2 authorisation server"): oidc-provider on PostgreSQL,
 * mounted at `/oauth` by the HTTP pipeline (src/bootstrap.ts, before the body parsers), the
 * consent screen's JSON API, and the mutual-TLS listener (MTLS_PORT).
 */
@Module({
  imports: [AppsModule, ConsentsModule, CustomersModule],
  controllers: [InteractionsController],
  providers: [OAuthService, InteractionsService, MtlsListener],
  exports: [OAuthService, MtlsListener],
})
export class OAuthModule {}

/**
 * The OAuth area's implementations of the consents area's ports (src/consents/ports.ts):
 * `CONSENT_GRANT_REVOKER` and `ACCESS_TOKEN_RESOLVER`. Global for the same reason as
 * AppsPortsModule: consents sits below oauth and must not import it; imported once by
 * src/app.module.ts. Needs only the database, so it is loaded by every role.
 */
@Global()
@Module({
  providers: [
    OAuthGrantsService,
    { provide: CONSENT_GRANT_REVOKER, useExisting: OAuthGrantsService },
    { provide: ACCESS_TOKEN_RESOLVER, useExisting: OAuthGrantsService },
  ],
  exports: [CONSENT_GRANT_REVOKER, ACCESS_TOKEN_RESOLVER],
})
export class OAuthPortsModule {}
