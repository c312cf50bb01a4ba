import type { Logger as TypeOrmLogger } from 'typeorm';

/** The fields of a PostgreSQL error (pg's DatabaseError) that name what failed without quoting data. */
interface PgErrorFields {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
}

/**
 * TypeORM's logger for Gatehouse: failed queries are written as one JSON line (pino's shape, level 50)
 * with the SQL text and the error's SQLSTATE, constraint, table and column — never the bound
 * parameters nor the server's message or detail, which quote values (emails, names, tokens: "no
 * personal data or secrets in logs"). TypeORM's own 'error' logging prints both. Other events are
 * not logged: migrations report through the CLI, and query timing through the request log.
 */
export class QueryErrorLogger implements TypeOrmLogger {
  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(line)) {}

  logQueryError(error: string | Error, query: string): void {
    const e = (typeof error === 'object' ? error : {}) as PgErrorFields;
    this.write(
      `${JSON.stringify({
        level: 50,
        time: Date.now(),
        msg: 'query failed',
        sqlState: e.code,
        constraint: e.constraint,
        table: e.table,
        column: e.column,
        routine: e.routine,
        query: query.length > 2000 ? `${query.slice(0, 2000)}…` : query,
      })}\n`,
    );
  }

  logQuery(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
