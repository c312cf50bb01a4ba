import { ArgumentMetadata } from '@nestjs/common';
import { ValidationFailedError } from '../../src/common/errors/domain-error';
import { createValidationPipe } from '../../src/common/http/validation';

/** The application's own validation pipe, run on a DTO class as a request body goes through it. */
const pipe = createValidationPipe();

/** The body after validation and transformation; rejects as the pipe would. */
export const validateBody = (metatype: ArgumentMetadata['metatype'], body: unknown): Promise<unknown> =>
  pipe.transform(body, { type: 'body', metatype });

/** The field errors of a body the pipe must refuse; fails the test when it is accepted. */
export async function refusal(
  metatype: ArgumentMetadata['metatype'],
  body: unknown,
): Promise<{ field: string; message: string }[]> {
  const error = await validateBody(metatype, body).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationFailedError);
  return (error as ValidationFailedError).errors;
}

/** Invisible and control characters that must not hide inside a name: label, character, code point. */
export const INVISIBLE_CHARACTERS = [
  ['soft hyphen', '\u00AD', 'U+00AD'],
  ['zero-width joiner', '\u200D', 'U+200D'],
  ['word joiner', '\u2060', 'U+2060'],
  ['byte order mark', '\uFEFF', 'U+FEFF'],
  ['right-to-left override', '\u202E', 'U+202E'],
  ['first strong isolate', '\u2068', 'U+2068'],
  ['Hangul filler', '\u3164', 'U+3164'],
  ['NUL', '\u0000', 'U+0000'],
  ['line feed', '\n', 'U+000A'],
] as const;
