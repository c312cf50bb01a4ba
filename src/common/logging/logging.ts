import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { PARAMS_PROVIDER_TOKEN, type Params } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import { AppConfig } from '../../config/config';
import { CREDENTIAL_IN_TEXT } from '../crypto/credential-format';

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
  // The authorisation server's redirects carry authorization codes (`?code=…`) to the app.
  'res.headers.location',
  'req.query.token',
  ...[
    'password',
    'newPassword',
    'token',
    'accessToken',
    'refreshToken',
    'secret',
    'clientSecret',
    'totp',
    'code',
    'mrz',
    'file',
    'content',
    'documentNumber',
    'dateOfBirth',
    'masterKey',
    'csr',
    'privateKey',
  ].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
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

/** A request in log lines: its id, method and path (never the query string, which may hold a token). */
export function serializeRequest(req: { id?: unknown; method?: string; url?: string; originalUrl?: string }): {
  id: unknown;
  method: string | undefined;
  url: string;
} {
  return { id: req.id, method: req.method, url: (req.originalUrl ?? req.url ?? '').split('?')[0]! };
}

/**
 * The last line of defence behind REDACT_PATHS, which only knows field names: a Gatehouse
 * credential anywhere in a finished log line (a message, an error, an unexpected field) is
 * replaced. Our credentials' distinctive prefixes make this a cheap literal-led search.
 */
export function scrubCredentials(line: string): string {
  return line.replace(CREDENTIAL_IN_TEXT, '[redacted]');
}

export function serializeResponse(res: { statusCode: number }): { statusCode: number } {
  return { statusCode: res.statusCode };
}

/** The process's one root logger: used by Nest's Logger outside requests and by the request log. */
export function createLogger(config: Pick<AppConfig, 'log' | 'role'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.log.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // In the base bindings rather than per request: a per-request binding costs a child logger.
    base: { pid: process.pid, role: config.role },
    serializers: { req: serializeRequest, res: serializeResponse },
    hooks: { streamWrite: scrubCredentials },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * nestjs-pino is given the root logger for Nest's Logger and no middleware of its own (`useExisting`
 * and no routes): `requestContext` (request-logging.ts), the first middleware `configureHttpApp`
 * installs, gives each request its logger, its async context and its access line. pino-http built
 * a child logger (serialising and redacting the request) at the start of every request, even when
 * nothing was ever logged, and nestjs-pino's context middleware was a second Nest middleware
 * matched against every path.
 */
export function loggerParams(config: AppConfig): Params {
  return { pinoHttp: { logger: createLogger(config) }, useExisting: true, forRoutes: [] };
}

/** The root logger that `loggerParams` gave the app's LoggerModule. */
export function rootLoggerOf(app: INestApplication): Logger {
  return (app.get<Params>(PARAMS_PROVIDER_TOKEN).pinoHttp as { logger: Logger }).logger;
}
