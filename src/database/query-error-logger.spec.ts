import { QueryErrorLogger } from './query-error-logger';

describe('QueryErrorLogger', () => {
  it('logs the statement and what failed, never the parameters nor the message that quotes values', () => {
    const lines: string[] = [];
    const logger = new QueryErrorLogger((l) => lines.push(l));
    const error = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      code: '23505',
      constraint: 'users_email_key',
      table: 'users',
      detail: 'Key (email)=(ada@fintech.example) already exists.',
    });
    logger.logQueryError(error, 'INSERT INTO users (email, name) VALUES ($1, $2)');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 50, msg: 'query failed', sqlState: '23505', constraint: 'users_email_key' });
    expect(entry.query).toBe('INSERT INTO users (email, name) VALUES ($1, $2)');
    expect(lines[0]).not.toContain('ada@fintech.example');
    expect(lines[0]).not.toContain('Ada');
  });
});
