/**
 * A rule of the domain said no. The code is stable (clients may branch on it); one filter maps
 * codes to HTTP statuses and problem+json (see problem-details.filter.ts).
 */
export type DomainErrorCode =
  | 'not_found'
  | 'conflict'
  | 'invalid_state'
  | 'validation_failed'
  | 'malformed_body'
  | 'requirements_due'
  | 'widens_consent'
  | 'idempotency_key_reused'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_failed'
  | 'locked'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unavailable';

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what = 'Resource') {
    super('not_found', `${what} not found`);
  }
}

export class ValidationFailedError extends DomainError {
  constructor(
    readonly errors: FieldError[],
    message = 'The request has invalid fields',
  ) {
    super('validation_failed', message, { errors });
  }
}
