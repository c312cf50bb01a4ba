import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACT_PATHS } from './logging';

describe('log redaction', () => {
  it('removes credentials and personal data from logged objects', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    logger.info({
      req: { headers: { authorization: 'Bearer abc123', cookie: 'sid=s3cr3t' } },
      body: { password: 'correct horse battery staple', email: 'a@example.com' },
      result: { app: { clientSecret: 'gh_live_xyz' } },
    });
    const line = lines.join('');
    for (const secret of ['abc123', 's3cr3t', 'correct horse', 'gh_live_xyz']) expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });
});
