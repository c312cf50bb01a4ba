import 'reflect-metadata';
import { openSecret, sealSecret } from '../common/crypto/master-key';
import { ConfigError, loadConfig } from '../config/config';
import { withCliDataSource } from './cli-database';
import { rewrapDataKey, unwrapDataKey } from '../kyc/documents/crypto/document-cipher';

/**
 * `npm run keys:rotate`: re-wraps every document data key (and re-seals MRZs, TOTP secrets and webhook signing secrets)
 * from MASTER_KEY_PREVIOUS to MASTER_KEY. Files are not touched. Rows already under the new key
 * are skipped, so an interrupted rotation can simply be run again.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.keys.masterKey || !config.keys.previousMasterKey)
    throw new Error('set MASTER_KEY (the new key) and MASTER_KEY_PREVIOUS (the current one)');
  const next = Buffer.from(config.keys.masterKey, 'base64');
  const previous = Buffer.from(config.keys.previousMasterKey, 'base64');
  if (next.equals(previous)) throw new Error('MASTER_KEY and MASTER_KEY_PREVIOUS are the same key');

  const counts = { documents: 0, mrz: 0, totp: 0, webhookSecrets: 0, alreadyRotated: 0 };
  const underNewKey = (check: () => unknown) => {
    try {
      check();
      return true;
    } catch {
      return false;
    }
  };
  await withCliDataSource(config, 'gatehouse-keys-rotate', async (dataSource) => {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await dataSource.query(
        `SELECT id, wrapped_key, mrz FROM documents WHERE id > $1 ORDER BY id LIMIT 500`,
        [after],
      )) as { id: string; wrapped_key: string; mrz: string | null }[];
      if (rows.length === 0) break;
      await dataSource.transaction(async (m) => {
        for (const row of rows) {
          if (underNewKey(() => unwrapDataKey(row.wrapped_key, next, row.id))) {
            counts.alreadyRotated++;
            continue;
          }
          const wrapped = rewrapDataKey(row.wrapped_key, previous, next, row.id);
          const mrz = row.mrz
            ? sealSecret(next, openSecret(previous, row.mrz, `mrz:${row.id}`), `mrz:${row.id}`)
            : null;
          await m.query(`UPDATE documents SET wrapped_key = $2, mrz = $3 WHERE id = $1`, [row.id, wrapped, mrz]);
          counts.documents++;
          if (mrz) counts.mrz++;
        }
      });
      after = rows[rows.length - 1]!.id;
    }
    await dataSource.transaction(async (m) => {
      const users = (await m.query(`SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL FOR UPDATE`)) as {
        id: string;
        totp_secret: string;
      }[];
      for (const u of users) {
        if (underNewKey(() => openSecret(next, u.totp_secret, u.id))) continue;
        await m.query(`UPDATE users SET totp_secret = $2 WHERE id = $1`, [
          u.id,
          sealSecret(next, openSecret(previous, u.totp_secret, u.id), u.id),
        ]);
        counts.totp++;
      }
      const apps = (await m.query(
        `SELECT id, webhook_secret_sealed FROM apps WHERE webhook_secret_sealed IS NOT NULL FOR UPDATE`,
      )) as { id: string; webhook_secret_sealed: string }[];
      for (const a of apps) {
        const aad = `webhook:${a.id}`;
        if (underNewKey(() => openSecret(next, a.webhook_secret_sealed, aad))) continue;
        await m.query(`UPDATE apps SET webhook_secret_sealed = $2 WHERE id = $1`, [
          a.id,
          sealSecret(next, openSecret(previous, a.webhook_secret_sealed, aad), aad),
        ]);
        counts.webhookSecrets++;
      }
    });
  });
  process.stdout.write(`${JSON.stringify(counts)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
