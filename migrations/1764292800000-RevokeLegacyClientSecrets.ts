import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Client secrets now start with `gatehouse_live_` / `gatehouse_sandbox_` and end in a checksum
 * (docs/decisions.md, "Credential formats"). Secrets of the earlier format no longer pass the
 * format check, so they can never verify again; this marks them revoked so listings say so and the
 * developer issues a new one (a clean break, taken before production). Rows are told apart by
 * their stored display prefix: the secrets themselves are only stored as peppered hashes.
 */
export class RevokeLegacyClientSecrets1764292800000 implements MigrationInterface {
  name = 'RevokeLegacyClientSecrets1764292800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE app_credentials SET revoked_at = now()
       WHERE revoked_at IS NULL
         AND secret_prefix NOT LIKE 'gatehouse\\_live\\_%'
         AND secret_prefix NOT LIKE 'gatehouse\\_sandbox\\_%'`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the revoked secrets are of a format no version that has this migration accepts.
  }
}
