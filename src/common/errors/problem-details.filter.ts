import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IncomingMessage, STATUS_CODES, ServerResponse } from 'node:http';
import { sendText } from '../http/send-text';
import { DomainError, DomainErrorCode } from './domain-error';

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  validation_failed: 400,
  malformed_body: 400,
  requirements_due: 422,
  widens_consent: 422,
  idempotency_key_reused: 422,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  locked: 423,
  rate_limited: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
};

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');
export const problemType = (code: string) => `urn:gatehouse:problem:${slug(code)}`;

/** Body-parser and similar middleware errors carry `status`/`type` instead of being HttpExceptions. */
interface MiddlewareError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

function fromMiddleware(error: MiddlewareError): { status: number; code: string; detail: string } | undefined {
  const status = error.status ?? error.statusCode;
  if (!status || status < 400 || status > 599 || !error.expose) return undefined;
  if (error.type === 'entity.parse.failed')
    return { status, code: 'malformed_json', detail: 'The request body is not valid JSON' };
  if (error.type === 'entity.too.large')
    return { status, code: 'payload_too_large', detail: 'The request body is too large' };
  return { status, code: slug(error.type ?? STATUS_CODES[status] ?? 'error'), detail: error.message ?? '' };
}

const errorsLogger = new Logger('Errors');

/**
 * Writes `exception` to `res` as application/problem+json (RFC 9457): the one rendering of errors,
 * used by the global filter and by the handlers mounted before Nest's router or served ahead of
 * express (the decision point), so it needs only Node's request and response. DomainError headers
 * (`WWW-Authenticate`, `Retry-After`) are set; 5xx are logged with the request id. `instance` is
 * the path without the query (express's `originalUrl` when there is one).
 */
export function sendProblem(
  exception: unknown,
  req: IncomingMessage & { originalUrl?: string; id?: unknown },
  res: ServerResponse,
): void {
  const problem = toProblem(exception);
  const requestId = req.id;
  problem.instance = (req.originalUrl ?? req.url)?.split('?')[0];
  if (requestId) problem.requestId = String(requestId);
  if (problem.status >= 500) errorsLogger.error({ err: exception, requestId }, 'unhandled error');
  if (exception instanceof DomainError) for (const [k, v] of Object.entries(exception.headers)) res.setHeader(k, v);
  if (exception instanceof HttpException) {
    const retryAfter = (exception.getResponse() as { retryAfter?: number })?.retryAfter;
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
  }
  if (res.headersSent) return;
  sendText(req, res, problem.status, 'application/problem+json', JSON.stringify(problem));
}

/** Every error leaves as application/problem+json (RFC 9457). Unexpected errors say nothing of their insides. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    sendProblem(exception, ctx.getRequest<Request>(), ctx.getResponse<Response>());
  }
}

function toProblem(exception: unknown): ProblemDetails {
  if (exception instanceof DomainError) {
    const status = STATUS_BY_CODE[exception.code];
    return {
      type: problemType(exception.code),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: exception.message,
      ...exception.extensions,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const detail = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
    return {
      type: problemType(STATUS_CODES[status] ?? 'error'),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: Array.isArray(detail) ? detail.join('; ') : String(detail),
    };
  }
  const mw = exception && typeof exception === 'object' ? fromMiddleware(exception as MiddlewareError) : undefined;
  if (mw)
    return {
      type: problemType(mw.code),
      title: STATUS_CODES[mw.status] ?? 'Error',
      status: mw.status,
      detail: mw.detail,
    };
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return {
    type: problemType('internal_error'),
    title: STATUS_CODES[status]!,
    status,
    detail: 'Something went wrong on our side; the request id identifies it in our logs',
  };
}
