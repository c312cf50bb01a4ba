import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * oidc-provider's records (SPEC "OAuth 2 authorisation server"): sessions, interactions, pushed
 * requests, codes, tokens and grants, one table keyed by (model, id) with the library's payload as
 * jsonb. Clients are not stored here: they are Gatehouse apps, read from `apps` on every lookup.
 *
 * `grant_id` is the consent id for everything issued under a consent, so the consents area's one
 * revocation path deletes a consent's grant, codes, tokens and pushed requests by that column.
 * `consumed_at` makes `consume` a single conditional UPDATE: of two concurrent redemptions of one
 * code only the one whose UPDATE matched `consumed_at IS NULL` wins.
 */
export class CreateOAuthModels1764293600000 implements MigrationInterface {
  name = 'CreateOAuthModels1764293600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oauth_models (
        model varchar(40) NOT NULL,
        id varchar(255) NOT NULL,
        payload jsonb NOT NULL,
        grant_id varchar(255),
        uid varchar(255),
        user_code varchar(255),
        expires_at timestamptz,
        consumed_at timestamptz,
        CONSTRAINT oauth_models_pkey PRIMARY KEY (model, id)
      )`);
    await q.query(`CREATE INDEX oauth_models_grant_id_idx ON oauth_models (grant_id) WHERE grant_id IS NOT NULL`);
    await q.query(`CREATE INDEX oauth_models_uid_idx ON oauth_models (model, uid) WHERE uid IS NOT NULL`);
    await q.query(
      `CREATE INDEX oauth_models_user_code_idx ON oauth_models (model, user_code) WHERE user_code IS NOT NULL`,
    );
    await q.query(`CREATE INDEX oauth_models_expires_at_idx ON oauth_models (expires_at) WHERE expires_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oauth_models`);
  }
}
