import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { QueryErrorLogger } from './query-error-logger';

/** The one definition of how Gatehouse talks to PostgreSQL, shared by the app, the CLIs and tests. */
export function dataSourceOptions(
  url: string,
  overrides: Partial<{ poolSize: number; applicationName: string }> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    logger: new QueryErrorLogger(),
    poolSize: overrides.poolSize ?? 10,
    extra: {
      application_name: overrides.applicationName ?? 'gatehouse',
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    },
  };
}

export function createDataSource(url: string, overrides?: Parameters<typeof dataSourceOptions>[1]): DataSource {
  return new DataSource(dataSourceOptions(url, overrides));
}
