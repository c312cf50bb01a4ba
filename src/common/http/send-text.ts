import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Ends `res` with `body` (a string) as `type; charset=utf-8`, byte for byte what express's
 * `res.status(status).type(type).send(body)` writes in Gatehouse (ETags are off): the status, the
 * Content-Type with its charset, Content-Length in bytes, and no body for HEAD. For handlers that
 * answer without express (the decision point served ahead of it) and the one error rendering
 * (sendProblem) that both paths share.
 */
export function sendText(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(body, 'utf8'));
  if (req.method === 'HEAD') res.end();
  else res.end(body, 'utf8');
}
