import { MigrationInterface, QueryRunner } from 'typeorm';
import { mailboxKey } from '../src/accounts/mailbox';

interface UserRow {
  id: string;
  email: string;
}

/**
 * One identity per mailbox. `users.email` keeps the address as typed (display and delivery);
 * the new `users.email_key` is `mailboxKey(email)` (src/accounts/mailbox.ts) and is what is
 * unique and looked up. The old citext unique key folded case only, and differently from the
 * application, so it goes; a plain index on `email` stays for the review claim's lookup.
 *
 * Existing rows whose keys collide (`Åsa@…` beside `A\u030Asa@…`, `Ada@…` beside `ADA@…` cannot
 * exist, citext refused those): nothing is deleted or rewritten. The account that keeps the key
 * is the one with a verified address, then the oldest; the others keep every row and their
 * typed address but get no key (so nobody can sign in or ask for a reset with that address until
 * an operator merges or renames them) and are listed in `mailbox_collisions` for that operator.
 */
export class MailboxKeys1764292600000 implements MigrationInterface {
  name = 'MailboxKeys1764292600000';

  async up(q: QueryRunner): Promise<void> {
    // Processes still on the old code must not add users between the backfill and the new key.
    await q.query(`LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`ALTER TABLE users ADD COLUMN email_key text`);
    await q.query(`
      CREATE TABLE mailbox_collisions (
        user_id uuid PRIMARY KEY
          CONSTRAINT mailbox_collisions_user_id_fkey REFERENCES users(id) ON DELETE CASCADE,
        email_key text NOT NULL,
        kept_user_id uuid NOT NULL
          CONSTRAINT mailbox_collisions_kept_user_id_fkey REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    const rows = (await q.query(
      `SELECT id, email FROM users ORDER BY email_verified_at IS NULL, created_at, id`,
    )) as UserRow[];
    const keeper = new Map<string, string>();
    const keyed: { id: string; key: string }[] = [];
    const aside: { id: string; key: string; keptBy: string }[] = [];
    for (const row of rows) {
      const key = mailboxKey(row.email);
      const kept = keeper.get(key);
      if (kept) aside.push({ id: row.id, key, keptBy: kept });
      else {
        keeper.set(key, row.id);
        keyed.push({ id: row.id, key });
      }
    }
    for (let i = 0; i < keyed.length; i += 5000) {
      const batch = keyed.slice(i, i + 5000);
      await q.query(
        `UPDATE users u SET email_key = v.key FROM unnest($1::uuid[], $2::text[]) AS v(id, key) WHERE u.id = v.id`,
        [batch.map((b) => b.id), batch.map((b) => b.key)],
      );
    }
    for (const a of aside) {
      await q.query(`INSERT INTO mailbox_collisions (user_id, email_key, kept_user_id) VALUES ($1, $2, $3)`, [
        a.id,
        a.key,
        a.keptBy,
      ]);
    }
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_email_key`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_email_key_key UNIQUE (email_key)`);
    await q.query(`CREATE INDEX users_email_idx ON users (email)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX users_email_idx`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_email_key_key`);
    // Fails, rather than losing anyone, if accounts differing only in case were created meanwhile.
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)`);
    await q.query(`DROP TABLE mailbox_collisions`);
    await q.query(`ALTER TABLE users DROP COLUMN email_key`);
  }
}
