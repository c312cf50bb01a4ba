import pino from 'pino';
import { Writable } from 'node:stream';
import { CREDENTIAL_PREFIX, newCredential } from '../crypto/credential-format';
import { REDACT_PATHS, createLogger } from './logging';

function capture(): { sink: Writable; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { sink, text: () => lines.join('') };
}

describe('log redaction', () => {
  it('removes credentials and personal data from logged objects', () => {
    const { sink, text } = capture();
    const logger = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    logger.info({
      req: { headers: { authorization: 'Bearer abc123', cookie: 'sid=s3cr3t' } },
      body: { password: 'correct horse battery staple', email: 'a@example.com' },
      result: { app: { clientSecret: 'gatehouse_live_xyz' } },
      res: { headers: { location: 'https://app.example/cb?code=AuThCoDe&state=s' } },
    });
    const line = text();
    for (const secret of ['abc123', 's3cr3t', 'correct horse', 'gatehouse_live_xyz', 'AuThCoDe'])
      expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });
});

describe('credential scrubbing of whole lines', () => {
  const config = { log: { level: 'info' }, role: 'api' } as Parameters<typeof createLogger>[0];

  it('hides a Gatehouse credential under a field name the redact paths do not know', () => {
    const { sink, text } = capture();
    const secret = newCredential(CREDENTIAL_PREFIX.liveClientSecret);
    createLogger(config, sink).info({ upstream: { echoed: secret } }, 'relayed');
    expect(text()).not.toContain(secret.slice(CREDENTIAL_PREFIX.liveClientSecret.length));
    expect(text()).toContain('[redacted]');
  });

  it('hides session tokens and sandbox secrets inside messages and errors', () => {
    const { sink, text } = capture();
    const session = newCredential(CREDENTIAL_PREFIX.session);
    const sandbox = newCredential(CREDENTIAL_PREFIX.sandboxClientSecret);
    const logger = createLogger(config, sink);
    logger.warn(`refused bearer ${session} for this route`);
    logger.error({ err: new Error(`bad client secret "${sandbox}"`) }, 'token endpoint');
    for (const credential of [session, sandbox]) expect(text()).not.toContain(credential.slice(-40));
    expect(text()).toContain('refused bearer [redacted] for this route');
  });

  it('leaves the display prefix of a listing readable and every line valid JSON', () => {
    const { sink, text } = capture();
    createLogger(config, sink).info({ listed: 'gatehouse_live_AbCd' }, 'credentials listed');
    const [line] = text().trim().split('\n');
    expect((JSON.parse(line!) as { listed: string }).listed).toBe('gatehouse_live_AbCd');
  });
});
