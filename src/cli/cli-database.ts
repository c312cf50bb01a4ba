import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { startEmbeddedPostgres } from '../database/embedded-postgres';

/**
 * Runs a CLI's work on the configured database — or, without DATABASE_URL, on the embedded one,
 * started for the occasion (or shared with a running Gatehouse) — and closes everything after.
 */
export async function withCliDataSource<T>(
  config: AppConfig,
  applicationName: string,
  work: (dataSource: DataSource) => Promise<T>,
  log: (msg: string) => void = () => undefined,
): Promise<T> {
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres(config.varDir, config.database.embeddedPort, log);
  const dataSource = await createDataSource(config.database.url ?? embedded!.url, {
    poolSize: 2,
    applicationName,
  }).initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
    if (embedded?.owned) await embedded.stop();
  }
}
