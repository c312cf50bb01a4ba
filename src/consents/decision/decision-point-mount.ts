import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { sendProblem } from '../../common/errors/problem-details.filter';
import { ConsentDecisionsService } from './consent-decisions.service';
import { GatewayKey, gatewayKeyRefusal } from './gateway-key';

export const DECISION_POINT_PATH = '/v1/consent-decisions';
/** A decision request is a few hundred bytes; anything near this is not one. */
const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Serves `POST /v1/consent-decisions` (the bank gateway's hot path) from an express handler mounted
 * before Nest's body parsers and router, as the OAuth server is: the same gateway key check
 * (GatewayKey, constant time), the same hand-checked body and decision (ConsentDecisionsService),
 * the same problem+json errors (sendProblem) and the same request logging and security headers
 * (mounted earlier), without the per-request cost of Nest's routing, guards, pipes and
 * interceptors. ConsentDecisionsController keeps the route in the OpenAPI document and the route
 * table; requests never reach it while this is mounted. Measured by bench/consent-decisions.ts
 * (docs/BENCHMARKS.md). No-op in an app without the decision point (the worker role).
 */
export function mountDecisionPoint(app: NestExpressApplication): void {
  let decisions: ConsentDecisionsService;
  let key: GatewayKey;
  try {
    decisions = app.get(ConsentDecisionsService, { strict: false });
    key = app.get(GatewayKey, { strict: false });
  } catch {
    return;
  }
  app.use(DECISION_POINT_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || (req.path !== '/' && req.path !== '')) return next();
    void answer(req, res, decisions, key);
  });
}

async function answer(req: Request, res: Response, decisions: ConsentDecisionsService, key: GatewayKey) {
  try {
    const refusal = gatewayKeyRefusal(key, req.headers.authorization);
    if (refusal) throw refusal;
    const result = await decisions.decideRequest(await readJsonBody(req));
    res.status(200).type('application/json').send(JSON.stringify(result));
  } catch (e) {
    sendProblem(e, req, res);
  }
}

/** The request's JSON body (undefined when it is not JSON or empty); 413 past the limit, 400 when malformed. */
function readJsonBody(req: Request): Promise<unknown> {
  if (!req.is('application/json')) {
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
