import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Interaction } from 'oidc-provider';
import { DataSource, EntityManager } from 'typeorm';
import { SCOPES, isScope } from '../apps/credentials/scopes';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ConsentTerms, DAY_MS } from '../consents/consent';
import { narrowTerms } from '../consents/consent-narrowing';
import { ConsentsService } from '../consents/consents.service';
import {
  AccountAccessGrant,
  AccountAccessRequest,
  grantedFromConsent,
  requestedAccountAccess,
} from './authorization-details';
import type { InteractionDecisionDto } from './dto/interaction-decision.dto';
import type { InteractionView } from './dto/interaction-view.dto';
import { withinTransaction } from './oauth-adapter';
import { OAuthService } from './oauth.service';

interface AppRow {
  id: string;
  name: string;
  legal_name: string;
  /** The organisation's KYB is approved. */
  verified: boolean;
  /** Which of the app's client ids made the request: the consent is in that environment. */
  environment: 'sandbox' | 'production';
}

interface Pending {
  interaction: Interaction;
  app: AppRow;
  request: AccountAccessRequest;
}

/**
 * The consent screen's JSON API: reads a pending authorization request (an oidc-provider
 * interaction, found by its uid) for a signed-in customer and records their decision. Approval
 * creates the consent and its receipt (ConsentsService.grant), the provider's grant named by the
 * consent id and carrying the granted `authorization_details`, and the interaction's result, all in
 * one transaction; the browser then follows `redirectTo` (the provider's resume URL, which checks
 * the browser's own interaction cookie) to the app's redirect URI with `code`, `state` and `iss`.
 */
@Injectable()
export class InteractionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly oauth: OAuthService,
    private readonly consents: ConsentsService,
  ) {}

  /** The request as the customer sees it; 404 for an unknown, expired or already decided uid. */
  async show(uid: string, customerSub: string, now = new Date()): Promise<InteractionView> {
    const { interaction, app, request } = await this.pending(uid);
    const accounts = (await this.dataSource.query(
      `SELECT id::text, name, type, currency, account_number FROM sandbox_accounts
        WHERE customer_id::text = $1 ORDER BY id`,
      [customerSub],
    )) as { id: string; name: string; type: string; currency: string; account_number: string }[];
    return {
      uid,
      app: {
        name: app.name,
        organisationName: app.legal_name,
        organisationVerified: app.verified,
        environment: app.environment,
      },
      scopes: request.scopes
        .filter(isScope)
        .map((s) => ({ scope: s, title: SCOPES[s].title, description: SCOPES[s].description })),
      transactionWindow: request.transactionWindow ?? null,
      merchants: request.merchants ?? null,
      categories: request.categories ?? null,
      expiresAt: this.requestedTerms(request, [], now).expiresAt,
      accounts: accounts.map((a) => ({
        id: a.id,
        name: a.name,
        type: a.type,
        currency: a.currency,
        maskedNumber: `****${a.account_number.slice(-4)}`,
      })),
      decideBy: new Date(interaction.exp * 1000).toISOString(),
    };
  }

  /**
   * Records the customer's decision and returns where the browser goes next. Deny: the app gets
   * `access_denied`. Approve: the choices may only narrow the request (422 `widens_consent` naming
   * the field, nothing saved); the consent, its receipt, the grant and the result are saved together.
   */
  async decide(
    uid: string,
    customer: { customerId: string; sub: string },
    body: InteractionDecisionDto,
    now = new Date(),
  ): Promise<{ redirectTo: string }> {
    const { interaction, app, request } = await this.pending(uid);
    if (body.decision === 'deny') {
      await this.dataSource.transaction(async (m) => {
        await this.lockUndecided(m, uid);
        interaction.result = { error: 'access_denied', error_description: 'The customer denied the request' };
        await withinTransaction(m, () =>
          interaction.save(Math.max(1, interaction.exp - Math.floor(now.getTime() / 1000))),
        );
      });
      return { redirectTo: interaction.returnTo };
    }

    const owned = (
      (await this.dataSource.query(`SELECT id::text FROM sandbox_accounts WHERE customer_id::text = $1`, [
        customer.sub,
      ])) as { id: string }[]
    ).map((a) => a.id);
    const asked = this.requestedTerms(request, owned, now);
    const narrowed = narrowTerms(asked, body, now.getTime());
    if (!narrowed.ok) {
      throw new DomainError('widens_consent', `The customer can only narrow the request: ${narrowed.message}`, {
        errors: [{ field: narrowed.field, message: narrowed.message }],
      });
    }
    const terms = narrowed.terms;
    const { provider } = this.oauth;
    const clientId = interaction.params.client_id as string;

    await this.dataSource.transaction(async (m) => {
      await this.lockUndecided(m, uid);
      const consent = await this.consents.grant(
        {
          appId: app.id,
          customerId: customer.customerId,
          environment: app.environment,
          scopes: terms.scopes,
          constraints: {
            accountIds: terms.accountIds,
            transactionWindow: terms.transactionWindow,
            merchants: terms.merchants,
            categories: terms.categories,
          },
          expiresAt: terms.expiresAt,
        },
        m,
        now,
      );
      const granted = grantedFromConsent(consent)!;
      const grant = new provider.Grant({
        jti: consent.id,
        accountId: customer.customerId,
        clientId,
        expiresIn: Math.max(1, Math.floor((Date.parse(consent.expiresAt) - now.getTime()) / 1000)),
      } as ConstructorParameters<typeof provider.Grant>[0] & { jti: string; expiresIn: number });
      (grant as unknown as { rar: AccountAccessGrant[] }).rar = [granted];
      await withinTransaction(m, async () => {
        await grant.save();
        interaction.result = { login: { accountId: customer.customerId }, consent: { grantId: consent.id } };
        await interaction.save(Math.max(1, interaction.exp - Math.floor(now.getTime() / 1000)));
      });
    });
    return { redirectTo: interaction.returnTo };
  }

  /** One decision per request: a concurrent second decision waits here, then finds it decided (404). */
  private async lockUndecided(m: EntityManager, uid: string): Promise<void> {
    const open = (await m.query(
      `SELECT 1 FROM oauth_models WHERE model = 'Interaction' AND id = $1 AND NOT (payload ? 'result') FOR UPDATE`,
      [uid],
    )) as unknown[];
    if (open.length === 0) throw new NotFoundError('Authorization request');
  }

  /** The request's terms, before the customer narrows them; `accountIds` are all the customer's. */
  private requestedTerms(request: AccountAccessRequest, accountIds: string[], now: Date): ConsentTerms {
    const longest = new Date(now.getTime() + this.config.consents.maxDays * DAY_MS).toISOString();
    const asked = request.expiresAt ? new Date(Date.parse(request.expiresAt)).toISOString() : longest;
    return {
      scopes: request.scopes,
      accountIds,
      transactionWindow: request.transactionWindow ?? null,
      merchants: request.merchants ?? null,
      categories: request.categories ?? null,
      expiresAt: asked < longest ? asked : longest,
    };
  }

  private async pending(uid: string): Promise<Pending> {
    const interaction =
      typeof uid === 'string' && uid.length <= 64 ? await this.oauth.provider.Interaction.find(uid) : undefined;
    if (!interaction || interaction.result) throw new NotFoundError('Authorization request');
    const request = requestedAccountAccess(interaction.params.authorization_details);
    if (!request.ok) throw new NotFoundError('Authorization request');
    const apps = (await this.dataSource.query(
      `SELECT a.id, a.name, o.legal_name, o.verification_status = 'approved' AS verified,
              CASE WHEN a.sandbox_client_id = $1 THEN 'sandbox' ELSE 'production' END AS environment
         FROM apps a JOIN organisations o ON o.id = a.organisation_id
        WHERE a.sandbox_client_id = $1 OR a.production_client_id = $1`,
      [interaction.params.client_id],
    )) as AppRow[];
    if (!apps[0]) throw new NotFoundError('Authorization request');
    return { interaction, app: apps[0], request: request.value };
  }
}
