import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Provider, errors } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { X509Certificate } from 'node:crypto';
import { AppKeys } from '../apps/app-keys';
import { ClientAuthService } from '../apps/credentials/client-auth.service';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ConsentsService } from '../consents/consents.service';
import { CustomersService } from '../customers/customers.service';
import { grantedFromConsent } from './authorization-details';
import { presentedCertificate, verifyGatehouseCertificate } from './client-certificate';
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
  private caCertificate?: Promise<X509Certificate>;
  /** Per request: the client id its certificate authenticates (see `certificateOwner`). */
  private readonly certificateOwners = new WeakMap<IncomingMessage, string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clientAuth: ClientAuthService,
    private readonly consents: ConsentsService,
    private readonly customers: CustomersService,
    private readonly keys: AppKeys,
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
      clients: (clientId) =>
        loadClient(
          {
            dataSource: this.dataSource,
            productionInGoodStanding: (id) => this.clientAuth.productionClientInGoodStanding(id),
          },
          clientId,
        ),
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
        certificateAuthorized: (ctx) => {
          const owner = this.certificateOwners.get(ctx.req);
          return owner !== undefined && owner === ctx.oidc.client?.clientId;
        },
        mtlsPublicUrl: this.config.oauth.mtls?.publicUrl,
      }),
    );
    // oidc-provider asks `certificateAuthorized` synchronously: the certificate is checked here first
    // (chain to our CA, validity, SAN client id; then ClientAuthService: not revoked, the app's own,
    // the app in good standing), and only requests that can authenticate a client (POST) pay for it.
    provider.use(async (ctx, next) => {
      const certificate = presentedCertificate(ctx.req);
      if (certificate && ctx.method === 'POST') {
        const owner = await this.certificateOwner(certificate);
        if (owner) this.certificateOwners.set(ctx.req, owner);
      }
      await next();
    });
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

  /**
   * The production client id a presented certificate authenticates, if it is a live Gatehouse
   * certificate: issued by our CA (verified here, not trusted from the TLS layer), valid now, for
   * client authentication, naming a client id in its SAN URI; and, in the database, issued to the
   * app holding that client id, not revoked (the CRL's source), with the app in good standing.
   */
  async certificateOwner(certificate: X509Certificate, now = new Date()): Promise<string | undefined> {
    this.caCertificate ??= this.keys.certificateAuthority().then((ca) => new X509Certificate(ca.certificatePem));
    const verdict = verifyGatehouseCertificate(certificate, await this.caCertificate, now);
    if (!verdict.ok) return undefined;
    const client = await this.clientAuth.authenticateCertificate(verdict.thumbprintHex, now);
    return client?.clientId === verdict.clientId ? client.clientId : undefined;
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
