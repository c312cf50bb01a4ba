import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AuditChain } from '../audit/audit-chain';
import { loadAuditSigningKey } from '../audit/audit-signing-key';
import { ConfigError, loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { startEmbeddedPostgres } from '../database/embedded-postgres';

/** `npm run audit:verify`: prints {ok, checked, firstBrokenId} and exits 1 when the chain is broken. */
async function main(): Promise<boolean> {
  const config = loadConfig();
  const embedded = config.database.url ? undefined : await startEmbeddedPostgres(config.varDir, config.database.embeddedPort, () => undefined);
  const dataSource = await createDataSource(config.database.url ?? embedded!.url, { poolSize: 2, applicationName: 'gatehouse-audit-verify' }).initialize();
  try {
    const key = loadAuditSigningKey(config, (m) => new Logger('audit').warn(m));
    const result = await new AuditChain(dataSource).verify(key.publicKey);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.ok;
  } finally {
    await dataSource.destroy();
    if (embedded?.owned) await embedded.stop();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e: unknown) => {
  process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
