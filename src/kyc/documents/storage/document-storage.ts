import { Readable } from 'node:stream';

/**
 * Where encrypted document files live. Keys are ids the service generates (e.g.
 * `<organisationId>/<documentId>`), never anything a user typed: a user's file name must not reach a
 * path or an object key. Every implementation validates keys with `assertValidStorageKey`.
 */
export interface DocumentStorage {
  /** Stores `body` under `key`, replacing any previous object; readers never see a partial object. */
  put(key: string, body: Readable): Promise<void>;
  /** The stored bytes; throws DocumentNotFoundError when there is no object under `key`. */
  get(key: string): Promise<Readable>;
  /** Removes the object; succeeds when there is none (idempotent). */
  delete(key: string): Promise<void>;
}

export class DocumentNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored document under key "${key}"`);
    this.name = 'DocumentNotFoundError';
  }
}

export class InvalidStorageKeyError extends Error {
  constructor(readonly key: unknown) {
    super('invalid storage key: expected 1-200 characters of a-z, 0-9, "-" and "/" in non-empty segments');
    this.name = 'InvalidStorageKeyError';
  }
}

const KEY_PATTERN = /^[a-z0-9-/]{1,200}$/;

/**
 * Accepts `/^[a-z0-9-\/]{1,200}$/` with no empty segment (no leading, trailing or doubled "/"),
 * so a key is always a plain relative path of ids: no "..", no dots at all, no absolute paths.
 */
export function assertValidStorageKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !KEY_PATTERN.test(key) || key.split('/').some((segment) => segment.length === 0)) {
    throw new InvalidStorageKeyError(key);
  }
}
