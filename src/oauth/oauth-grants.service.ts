import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AccessTokenResolution, AccessTokenResolver, ConsentGrantRevoker } from '../consents/ports';

/**
 * The OAuth side of a consent, for the consents area's ports (src/consents/ports.ts). Plain SQL on
 * this area's own table, so it works in every role (a worker ending consents for inactivity has no
 * HTTP pipeline and needs no oidc-provider instance).
 */
@Injectable()
export class OAuthGrantsService implements ConsentGrantRevoker, AccessTokenResolver {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Deletes the consent's grant and every code, token and pushed request issued under it, in `m`'s transaction. */
  async revokeGrant(m: EntityManager, consentId: string): Promise<void> {
    await m.query(`DELETE FROM oauth_models WHERE grant_id = $1 OR (model = 'Grant' AND id = $1)`, [consentId]);
  }

  /**
   * An opaque access token (stored under its own value) to its consent and client, if the token is
   * unexpired and its consent active: a token outliving its consent resolves to nothing. A
   * certificate-bound token also gives its `x5t#S256`, which the resource must check.
   */
  async resolve(accessToken: string): Promise<AccessTokenResolution | undefined> {
    if (typeof accessToken !== 'string' || accessToken.length === 0 || accessToken.length > 255) return undefined;
    const rows = (await this.dataSource.query(
      `SELECT o.grant_id AS "consentId", o.payload->>'clientId' AS "clientId",
              o.payload->>'x5t#S256' AS "certificateThumbprint"
         FROM oauth_models o JOIN consents c ON c.id::text = o.grant_id
        WHERE o.model = 'AccessToken' AND o.id = $1 AND o.expires_at > now()
          AND c.status = 'active' AND c.expires_at > now()`,
      [accessToken],
    )) as (AccessTokenResolution & { certificateThumbprint: string | null })[];
    const row = rows[0];
    if (!row) return undefined;
    const { certificateThumbprint, ...resolution } = row;
    return certificateThumbprint ? { ...resolution, certificateThumbprint } : resolution;
  }
}
