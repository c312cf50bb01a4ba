import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The JWKS a developer registers on an app for `private_key_jwt` at the authorisation server
 * (SPEC "OAuth 2 authorisation server": production client ids authenticate with `tls_client_auth`
 * or `private_key_jwt`). Public keys only, validated by the apps area before it is stored; null
 * means none registered (the production client then authenticates with its certificate).
 */
export class AppClientJwks1764293700000 implements MigrationInterface {
  name = 'AppClientJwks1764293700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE apps ADD COLUMN client_jwks jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE apps DROP COLUMN client_jwks`);
  }
}
