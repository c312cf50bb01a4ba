import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import typeis from 'type-is';
import { DomainError } from '../../common/errors/domain-error';
import { sendProblem } from '../../common/errors/problem-details.filter';
import { sendText } from '../../common/http/send-text';
import { ConsentDecisionsService } from './consent-decisions.service';
import { GatewayKey, gatewayKeyRefusal } from './gateway-key';

export const DECISION_POINT_PATH = '/v1/consent-decisions';
/** A decision request is a few hundred bytes; anything near this is not one. */
const BODY_LIMIT_BYTES = 16 * 1024;

/** A connect-style middleware (what `app.use` takes), run by the server ahead of express too. */
export type HttpMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

type DecisionHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The decision point's handler: the gateway key check (GatewayKey, constant time), the
 * hand-checked body and the decision (ConsentDecisionsService, which fails closed with 503), the
 * answer as JSON and every refusal as problem+json (sendProblem). Undefined in an app without the
 * decision point (the worker role).
 */
function decisionHandler(app: NestExpressApplication): DecisionHandler | undefined {
  let decisions: ConsentDecisionsService;
  let key: GatewayKey;
  try {
    decisions = app.get(ConsentDecisionsService, { strict: false });
    key = app.get(GatewayKey, { strict: false });
  } catch {
    return undefined;
  }
  return (req, res) => void answer(req, res, decisions, key);
}

/**
 * Serves `POST /v1/consent-decisions` (the bank gateway's hot path) from an express handler mounted
 * before Nest's body parsers and router, as the OAuth server is, without the per-request cost of
 * Nest's routing, guards, pipes and interceptors; the request logging and security headers are
 * the middlewares mounted earlier. ConsentDecisionsController keeps the route in the OpenAPI
 * document and the route table; requests never reach it while this is mounted. On the main HTTP
 * server, `serveDecisionPointFirst` answers the route before express sees it; this mount answers
 * it everywhere else express serves (the mTLS listener) and for spellings of the path that only
 * express's router matches. No-op in an app without the decision point (the worker role).
 */
export function mountDecisionPoint(app: NestExpressApplication): void {
  const handler = decisionHandler(app);
  if (!handler) return;
  app.use(DECISION_POINT_PATH, (req: IncomingMessage & { path?: string }, res: ServerResponse, next: () => void) => {
    if (req.method !== 'POST' || (req.path !== '/' && req.path !== '')) return next();
    handler(req, res);
  });
}

/** `/v1/consent-decisions`, with or without a trailing slash, with or without a query string. */
function isDecisionPointUrl(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith(DECISION_POINT_PATH)) return false;
  const rest = url.slice(DECISION_POINT_PATH.length);
  return rest === '' || rest === '/' || rest.startsWith('?') || rest.startsWith('/?');
}

/**
 * Answers `POST /v1/consent-decisions` on the app's HTTP server ahead of express (issue #15: the
 * route's req/s against `/health/live`; bench/consent-decisions.ts, docs/decisions.md "Decision
 * point served ahead of express"): the server's one `request` listener (express) is wrapped so
 * that this route runs `prelude` — the very middlewares the app mounts first (request id and
 * access line, client certificate reader, security headers), in the same order — and then the
 * decision handler, skipping express's request and response setup and its router. Every other
 * request goes to express unchanged. Call after every `app.use`. No-op without the decision point.
 */
export function serveDecisionPointFirst(app: NestExpressApplication, prelude: readonly HttpMiddleware[]): void {
  const handler = decisionHandler(app);
  if (!handler) return;
  const server = app.getHttpServer() as Server;
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1)
    throw new Error(`expected express as the one request listener, found ${listeners.length}`);
  const express = listeners[0]!;
  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || !isDecisionPointUrl(req.url)) return express(req, res);
    let i = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined) return sendProblem(err, req, res);
      const middleware = prelude[i++];
      if (middleware) middleware(req, res, next);
      else handler(req, res);
    };
    next();
  });
}

async function answer(req: IncomingMessage, res: ServerResponse, decisions: ConsentDecisionsService, key: GatewayKey) {
  try {
    const refusal = gatewayKeyRefusal(key, req.headers.authorization);
    if (refusal) throw refusal;
    const result = await decisions.decideRequest(await readJsonBody(req));
    sendText(req, res, 200, 'application/json', JSON.stringify(result));
  } catch (e) {
    sendProblem(e, req, res);
  }
}

/**
 * The request's JSON body (undefined when it is not JSON or empty, as express's `req.is` judges
 * the Content-Type: type-is); 413 past the limit, 400 when malformed.
 */
function readJsonBody(req: IncomingMessage): Promise<unknown> {
  // The gateway's usual header, exactly: type-is would say the same after parsing it.
  const json =
    req.headers['content-type'] === 'application/json' ? typeis.hasBody(req) : typeis(req, ['application/json']);
  if (!json) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new DomainError('payload_too_large', 'The request body is larger than this endpoint accepts'));
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > BODY_LIMIT_BYTES) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new DomainError('malformed_body', 'The request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}
