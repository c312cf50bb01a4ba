import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Provider, errors } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { ClientAuthService } from '../apps/credentials/client-auth.service';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ConsentsService } from '../consents/consents.service';
import { CustomersService } from '../customers/customers.service';
import { grantedFromConsent } from './authorization-details';
import { createOAuthAdapter } from './oauth-adapter';
import { loadClient } from './oauth-clients';
import { oauthConfiguration } from './oauth-configuration';
import { loadOAuthSigningKey } from './oauth-signing-key';

/** The issuer of Gatehouse's authorisation server: `${PUBLIC_URL}/oauth` (SPEC). */
export const oauthIssuer = (config: AppConfig) => `${config.publicUrl}/oauth`;

/**
 * The oidc-provider instance, built on first use (the HTTP pipeline mounts it before Nest's body
 * parsers, see src/bootstrap.ts) with Gatehouse's adapter, clients and client authentication.
 */
@Injectable()
export class OAuthService {
  private readonly logger = new Logger(OAuthService.name);
  private built?: Provider;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clientAuth: ClientAuthService,
    private readonly consents: ConsentsService,
    private readonly customers: CustomersService,
  ) {}

  get issuer(): string {
    return oauthIssuer(this.config);
  }

  get provider(): Provider {
    this.built ??= this.build();
    return this.built;
  }

  /** The provider as a Node request handler, for mounting under `/oauth`. */
  callback(): (req: IncomingMessage, res: ServerResponse) => void {
    return this.provider.callback();
  }

  private build(): Provider {
    const adapter = createOAuthAdapter({
      dataSource: this.dataSource,
      clients: (clientId) => loadClient(this.dataSource, clientId),
      grantDestroyed: (grantId) => this.endConsent(grantId),
      consumeLost: () => new errors.InvalidGrant('authorization code already consumed'),
    });
    const provider = new Provider(
      this.issuer,
      oauthConfiguration({
        publicUrl: this.config.publicUrl,
        signingKey: loadOAuthSigningKey(this.config, (m) => this.logger.warn(m)),
        adapter,
        customerExists: (id) =>
          this.customers.get(id).then(
            () => true,
            (e: { code?: string }) => (e.code === 'not_found' ? false : Promise.reject(e)),
          ),
        grantedDetails: (customerId, consentId) =>
          this.consents
            .getForCustomer(customerId, consentId)
            .then(grantedFromConsent, (e: { code?: string }) =>
              e.code === 'not_found' ? undefined : Promise.reject(e),
            ),
      }),
    );
    // Secrets are stored only as HMAC hashes: the provider's comparison is ClientAuthService's check
    // (rotation grace included). An awaited prototype method, the hook oidc-provider's maintainer
    // suggested for hashed secrets (panva/node-oidc-provider#631); see docs/decisions.md.
    const clientAuth = this.clientAuth;
    const prototype = provider.Client.prototype as unknown as {
      clientId: string;
      compareClientSecret(actual: string): Promise<boolean>;
    };
    prototype.compareClientSecret = async function (this: { clientId: string }, actual: string) {
      return (await clientAuth.authenticate(this.clientId, actual)) !== undefined;
    };
    // Scheme and host come from PUBLIC_URL, set on each request by mountOAuth (oauth-mount.ts).
    provider.proxy = true;
    provider.on('server_error', (_ctx, error: Error) => this.logger.error(`oidc-provider: ${error.message}`));
    return provider;
  }

  /** oidc-provider revoked the grant (token revocation, a replayed code): the consent ends with it. */
  private async endConsent(consentId: string): Promise<void> {
    try {
      await this.consents.end(consentId, {
        by: 'app',
        reason: 'the app revoked its token, or replayed an authorization code',
        actor: { type: 'app', id: null },
      });
    } catch (e) {
      // A grant whose consent is already gone has nothing left to end.
      if ((e as { code?: string }).code !== 'not_found') throw e;
    }
  }
}
