import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AuditChain } from '../audit/audit-chain';
import { loadAuditSigningKey } from '../audit/audit-signing-key';
import { ConfigError, loadConfig } from '../config/config';
import { withCliDataSource } from './cli-database';

/** `npm run audit:verify`: prints {ok, checked, firstBrokenId} and exits 1 when the chain is broken. */
async function main(): Promise<boolean> {
  const config = loadConfig();
  const key = loadAuditSigningKey(config, (m) => new Logger('audit').warn(m));
  const result = await withCliDataSource(config, 'gatehouse-audit-verify', (dataSource) =>
    new AuditChain(dataSource).verify(key.publicKey),
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result.ok;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e: unknown) => {
    process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
