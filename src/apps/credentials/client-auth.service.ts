import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OrganisationRecordsService } from '../../organisations/organisation-records.service';
import { AppKeys } from '../app-keys';
import type { ProductionStatus } from '../app.entity';
import { productionStanding } from '../standing';
import { AppEnvironment, clientIdEnvironment, verifyClientSecret } from './client-secret';

export interface AuthenticatedClient {
  appId: string;
  organisationId: string;
  clientId: string;
  environment: AppEnvironment;
  /** What the app may ask customers for: all its scopes in sandbox, the granted ones in production. */
  scopes: string[];
  credentialId: string;
}

interface ClientRow {
  id: string;
  organisation_id: string;
  sandbox_client_id: string;
  production_client_id: string | null;
  production_status: ProductionStatus;
  suspended_at: Date | null;
  scopes: string[];
  granted_scopes: string[] | null;
}

/**
 * The check an app's credentials pass at the token endpoint or the API gateway. Standing is read
 * on every check, so a suspension or a lapse of the organisation's verification stops production
 * credentials at once, and a reinstatement brings them back, without touching the credentials.
 */
@Injectable()
export class ClientAuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly keys: AppKeys,
  ) {}

  /** The client, if the secret is one of its usable secrets at `now` and, in production, the app is in good standing. */
  async authenticate(
    clientId: string,
    secret: string,
    now: Date = new Date(),
  ): Promise<AuthenticatedClient | undefined> {
    const environment = clientIdEnvironment(clientId);
    if (!environment) return undefined;
    const app = await this.client(clientId, environment);
    if (!app || !(await this.usable(app, environment, now))) return undefined;
    const credentials = (await this.dataSource.query(
      `SELECT id, environment, secret_hash AS hash, created_at AS "createdAt", superseded_at AS "supersededAt", revoked_at AS "revokedAt"
         FROM app_credentials WHERE app_id = $1 AND environment = $2 AND revoked_at IS NULL`,
      [app.id, environment],
    )) as {
      id: string;
      environment: AppEnvironment;
      hash: string;
      createdAt: Date;
      supersededAt: Date | null;
      revokedAt: Date | null;
    }[];
    const match = verifyClientSecret(secret, credentials, this.keys.pepper(), now, this.keys.secretGraceMs);
    if (!match) return undefined;
    return this.result(app, environment, match.id);
  }

  /** The client a certificate (by SHA-256 thumbprint, hex) belongs to, if it is valid at `now` and the app is in good standing. */
  async authenticateCertificate(
    thumbprintSha256: string,
    now: Date = new Date(),
  ): Promise<AuthenticatedClient | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT c.id AS certificate_id, a.production_client_id FROM client_certificates c JOIN apps a ON a.id = c.app_id
        WHERE c.thumbprint_sha256 = $1 AND c.revoked_at IS NULL AND c.not_before <= $2 AND c.not_after > $2`,
      [thumbprintSha256.toLowerCase(), now],
    )) as { certificate_id: string; production_client_id: string | null }[];
    const row = rows[0];
    if (!row?.production_client_id) return undefined;
    const app = await this.client(row.production_client_id, 'production');
    if (!app || !(await this.usable(app, 'production', now))) return undefined;
    return this.result(app, 'production', row.certificate_id);
  }

  /**
   * Whether a production client id may authenticate at all right now: the app is approved for
   * production and it and its organisation are in good standing (standing.ts), read at `now`.
   * The authorisation server asks on every client lookup, before any certificate or assertion.
   */
  async productionClientInGoodStanding(clientId: string, now: Date = new Date()): Promise<boolean> {
    if (clientIdEnvironment(clientId) !== 'production') return false;
    const app = await this.client(clientId, 'production');
    return app !== undefined && (await this.usable(app, 'production', now));
  }

  private async client(clientId: string, environment: AppEnvironment): Promise<ClientRow | undefined> {
    const column = environment === 'production' ? 'production_client_id' : 'sandbox_client_id';
    const rows = (await this.dataSource.query(
      `SELECT id, organisation_id, sandbox_client_id, production_client_id, production_status, suspended_at, scopes,
              granted_scopes
         FROM apps WHERE ${column} = $1`,
      [clientId],
    )) as ClientRow[];
    return rows[0];
  }

  /** Sandbox: always. Production: the app's and its organisation's standing as they are now (standing.ts). */
  private async usable(app: ClientRow, environment: AppEnvironment, now: Date): Promise<boolean> {
    if (environment === 'sandbox') return true;
    const org = await this.organisations.find(app.organisation_id);
    if (!org) return false;
    const standing = productionStanding(
      {
        productionStatus: app.production_status,
        appSuspendedAt: app.suspended_at,
        organisationStatus: org.verificationStatus,
        requestedItems: org.requestedItems,
      },
      now,
    );
    return standing.ok;
  }

  private result(app: ClientRow, environment: AppEnvironment, credentialId: string): AuthenticatedClient {
    return {
      appId: app.id,
      organisationId: app.organisation_id,
      clientId: environment === 'production' ? app.production_client_id! : app.sandbox_client_id,
      environment,
      scopes: environment === 'production' ? (app.granted_scopes ?? []) : app.scopes,
      credentialId,
    };
  }
}
