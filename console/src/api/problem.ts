/** One field's complaint in a validation problem (RFC 9457 extension member `errors`). */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem as Gatehouse answers it: `type`, `title`, `status`, `detail`, maybe `errors`. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly code: string | undefined,
    readonly errors: FieldError[],
  ) {
    super(detail ?? title);
  }

  /** The message for one form field, if the server named it. */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
}

interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
}

/**
 * The data of an openapi-fetch result, or an ApiProblem built from its error body. Use as
 * `const me = await unwrap(api.GET('/v1/me'))`.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw toProblem(response.status, error);
}

/** An ApiProblem from a status and whatever body came with it. */
export function toProblem(status: number, body: unknown): ApiProblem {
  const p = (typeof body === 'object' && body !== null ? body : {}) as ProblemBody;
  // Gatehouse's problem types are URNs ending in the code: urn:gatehouse:problem:csrf-failed.
  const code = p.code ?? (typeof p.type === 'string' ? p.type.split(':').pop() : undefined);
  return new ApiProblem(status, p.title ?? `Request failed (${status})`, p.detail, code, p.errors ?? []);
}

/** Words for any error a page caught: the server's detail for problems, a plain message otherwise. */
export function problemText(e: unknown): string {
  if (e instanceof ApiProblem) return e.detail ?? e.title;
  if (e instanceof TypeError) return 'Gatehouse could not be reached. Check your connection and try again.';
  return e instanceof Error ? e.message : String(e);
}
