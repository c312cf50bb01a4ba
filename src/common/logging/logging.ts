import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { AppConfig } from '../../config/config';

/**
 * Paths pino removes from every log line. Request bodies are never logged, but services log
 * objects too, so the usual secret-bearing names are censored wherever they appear.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'req.query.token',
  ...['password', 'newPassword', 'token', 'accessToken', 'refreshToken', 'secret', 'clientSecret', 'totp', 'code', 'mrz', 'file', 'content', 'documentNumber', 'dateOfBirth', 'masterKey', 'csr', 'privateKey']
    .flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Honour a caller's X-Request-Id when it looks like one; otherwise mint a UUID. Echo it back. */
export function requestIdFor(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.log.level,
      genReqId: requestIdFor,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // In the base bindings rather than customProps: customProps costs a child logger per request.
      base: { pid: process.pid, role: config.role },
      // Health probes every few seconds would drown everything else.
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: (req.url ?? '').split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
