/**
 * FAPI 2.0 §5.3.3 (and SPEC "Sandbox data API": "Authorization header only"): an access token is
 * accepted only as `Authorization: Bearer <token>`. A token in the query string or a form body is
 * refused outright, not ignored, so an app that leaks tokens into URLs learns at once.
 */
export type BearerTokenResult =
  { ok: true; token: string } | { ok: false; error: 'invalid_request' | 'invalid_token'; description: string };

export interface BearerTokenSource {
  authorization?: string;
  query?: Record<string, unknown>;
  body?: unknown;
}

const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The access token of a request to a resource (the data API), or why there is none usable. */
export function bearerToken({ authorization, query, body }: BearerTokenSource): BearerTokenResult {
  const inBody = typeof body === 'object' && body !== null && 'access_token' in body;
  if ((query && 'access_token' in query) || inBody) {
    return {
      ok: false,
      error: 'invalid_request',
      description: 'access tokens are accepted only in the Authorization header (Bearer)',
    };
  }
  const match = /^Bearer ([^ ]+)$/i.exec(authorization ?? '');
  if (!match || !TOKEN.test(match[1]!)) {
    return {
      ok: false,
      error: 'invalid_token',
      description: 'an access token is needed: Authorization: Bearer <token>',
    };
  }
  return { ok: true, token: match[1]! };
}
