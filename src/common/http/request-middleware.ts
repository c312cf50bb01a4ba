import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors/domain-error';

/** body-parser's errors become domain errors so the problem+json filter words them for clients. */
export function translateBodyParserErrors(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const type = (err as { type?: string } | undefined)?.type;
  if (type === 'entity.parse.failed')
    return next(new DomainError('malformed_body', 'The request body is not valid JSON'));
  if (type === 'entity.too.large')
    return next(new DomainError('payload_too_large', 'The request body is larger than this endpoint accepts'));
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return next(new DomainError('unsupported_media_type', 'The request body encoding is not supported'));
  next(err);
}
