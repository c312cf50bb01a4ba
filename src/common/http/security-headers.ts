import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
type HeaderOp = { set: string; value: number | string | readonly string[] } | { remove: string };

/**
 * What a header middleware does to every response, when that does not depend on the request (helmet
 * without CSP nonces or functions): run once at boot against a recording response. Refuses a
 * middleware that reads the response, calls next asynchronously or fails.
 */
export function recordHeaderOps(middleware: Middleware): HeaderOp[] {
  const ops: HeaderOp[] = [];
  const recorder = {
    setHeader: (name: string, value: number | string | readonly string[]) => ops.push({ set: name, value }),
    removeHeader: (name: string) => ops.push({ remove: name }),
  };
  const reader = () => {
    throw new Error('this header middleware reads the response, so its headers cannot be recorded once');
  };
  const res = new Proxy(recorder, {
    get: (target, prop) => (prop in target ? target[prop as keyof typeof target] : reader()),
  });
  let outcome: { err?: unknown } | undefined;
  middleware(
    { method: 'GET', url: '/', headers: {} } as IncomingMessage,
    res as unknown as ServerResponse,
    (err?: unknown) => (outcome = { err }),
  );
  if (!outcome) throw new Error('this header middleware did not call next synchronously');
  if (outcome.err) throw outcome.err;
  return ops;
}

/**
 * The API's security headers (from `apiHeaders`, recorded once) on every response, except under
 * `/docs`, whose Swagger UI needs `docsHeaders` (run per request). Helmet is a chain of one
 * middleware per header; this sets the same headers in one loop.
 */
export function securityHeaders(apiHeaders: Middleware, docsHeaders: Middleware): Middleware {
  const ops = recordHeaderOps(apiHeaders);
  return function securityHeadersMiddleware(req, res, next) {
    if (req.url?.startsWith('/docs')) return docsHeaders(req, res, next);
    for (const op of ops) {
      if ('set' in op) res.setHeader(op.set, op.value);
      else res.removeHeader(op.remove);
    }
    next();
  };
}
