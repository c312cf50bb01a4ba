import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RFC 6238 §5.2: a verifier must not accept the same one-time code twice. Each user's last
 * accepted TOTP time step (Unix seconds / 30); a code is accepted only for a later step, by a
 * conditional UPDATE, so two concurrent sign-ins with one code cannot both win.
 */
export class TotpLastStep1764292700000 implements MigrationInterface {
  name = 'TotpLastStep1764292700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN totp_last_step bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN totp_last_step`);
  }
}
