/*
 * Encryption at rest for uploaded identity documents: a chunked, streaming AEAD (AES-256-GCM).
 *
 * Stored file format, version 1 (all integers big-endian):
 *
 *   header  = version (1 byte, 0x01) || iv (12 bytes, random per file)              13 bytes
 *   chunk_i = AES-256-GCM(dataKey, nonce_i, aad_i, plaintext_i) || tag_i (16 bytes)
 *   file    = header || chunk_0 || chunk_1 || … || chunk_n
 *
 *   plaintext_i is exactly CHUNK_SIZE (64 KiB) bytes for every chunk but the last, which holds
 *   0 < len <= CHUNK_SIZE bytes (0 only when the whole file is empty). There is always at least
 *   one chunk, so every stored file is at least 13 + 16 = 29 bytes long.
 *
 *   nonce_i = iv with the 32-bit chunk index i XORed into its last 4 bytes (at most 2^32 chunks).
 *
 *   aad_i   = "gatehouse/document/v1" || version (1) || len(organisationId) (4) || organisationId
 *             || len(documentId) (4) || documentId || i (4) || final (1 byte: 1 on the last chunk, else 0)
 *
 * Properties:
 *   - the data key is fresh per file, so (key, nonce) pairs never repeat across files;
 *   - a chunk moved to another file, another position, or another organisation/document fails its tag;
 *   - truncation at a chunk boundary makes a non-final chunk the last one read: its tag was computed
 *     with final = 0 but is checked with final = 1, so it fails; appended bytes make the real final
 *     chunk be checked with final = 0, which fails too;
 *   - a flipped bit in the version byte is refused as an unsupported version, in the IV it changes
 *     every nonce, in a chunk or tag it fails that chunk.
 *
 * Decryption releases a chunk's plaintext only after that chunk's tag verified, so a reader receives
 * a prefix of authentic chunks and then an error, never an altered byte. A reader that needs the
 * whole document to be authentic (rather than a verified prefix) must treat a stream error as
 * "discard what was received" — e.g. when proxying over HTTP, abort the response.
 *
 * Data keys are wrapped by the master key with AES-256-GCM: "dk1.<iv>.<tag>.<ciphertext>" (base64url),
 * the AAD binding the wrapped key to its document.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

export const DOCUMENT_FORMAT_VERSION = 1;
export const CHUNK_SIZE = 64 * 1024;
export const TAG_LENGTH = 16;
export const IV_LENGTH = 12;
export const HEADER_LENGTH = 1 + IV_LENGTH;
export const DATA_KEY_LENGTH = 32;

const ALGORITHM = 'aes-256-gcm';
const AAD_CONTEXT = Buffer.from('gatehouse/document/v1', 'utf8');
const WRAP_PREFIX = 'dk1';
const WRAP_AAD_CONTEXT = 'gatehouse/document-data-key/v1:';
const MAX_CHUNKS = 2 ** 32;

export interface DocumentCipherParams {
  documentId: string;
  organisationId: string;
  dataKey: Buffer;
}

/** The stored bytes are not an intact encryption of this document under this key. */
export class DocumentIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentIntegrityError';
  }
}

/** A fresh random 256-bit data key; one per stored file, never reused. */
export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_LENGTH);
}

function assertKey(key: Buffer, what: string): void {
  if (!Buffer.isBuffer(key) || key.length !== DATA_KEY_LENGTH)
    throw new TypeError(`${what} must be ${DATA_KEY_LENGTH} bytes`);
}

function assertIds(documentId: string, organisationId: string): void {
  if (typeof documentId !== 'string' || documentId.length === 0) throw new TypeError('documentId is required');
  if (typeof organisationId !== 'string' || organisationId.length === 0)
    throw new TypeError('organisationId is required');
}

/** The per-chunk AAD without the chunk index and final flag, which are appended per chunk. */
function aadPrefix(documentId: string, organisationId: string): Buffer {
  const org = Buffer.from(organisationId, 'utf8');
  const doc = Buffer.from(documentId, 'utf8');
  const prefix = Buffer.alloc(AAD_CONTEXT.length + 1 + 4 + org.length + 4 + doc.length);
  let at = AAD_CONTEXT.copy(prefix, 0);
  at = prefix.writeUInt8(DOCUMENT_FORMAT_VERSION, at);
  at = prefix.writeUInt32BE(org.length, at);
  at += org.copy(prefix, at);
  at = prefix.writeUInt32BE(doc.length, at);
  doc.copy(prefix, at);
  return prefix;
}

function chunkAad(prefix: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail.writeUInt8(final ? 1 : 0, 4);
  return Buffer.concat([prefix, tail]);
}

function chunkNonce(iv: Buffer, index: number): Buffer {
  const nonce = Buffer.from(iv);
  nonce.writeUInt32BE((nonce.readUInt32BE(IV_LENGTH - 4) ^ index) >>> 0, IV_LENGTH - 4);
  return nonce;
}

/** Holds incoming buffers and hands out exact-length slices without re-concatenating everything each write. */
class ByteQueue {
  private parts: Buffer[] = [];
  length = 0;

  push(buf: Buffer): void {
    if (buf.length === 0) return;
    this.parts.push(buf);
    this.length += buf.length;
  }

  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const head = this.parts[0];
      const used = Math.min(head.length, n - at);
      head.copy(out, at, 0, used);
      at += used;
      if (used === head.length) this.parts.shift();
      else this.parts[0] = head.subarray(used);
    }
    this.length -= n;
    return out;
  }
}

function toBuffer(chunk: unknown, encoding: BufferEncoding): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('document streams carry bytes');
}

/** What both directions hold: the checked data key, the AAD prefix, the bytes not yet a whole chunk. */
abstract class ChunkedCipherTransform extends Transform {
  protected readonly key: Buffer;
  protected readonly prefix: Buffer;
  protected readonly pending = new ByteQueue();
  protected index = 0;

  constructor(params: DocumentCipherParams) {
    super();
    assertKey(params.dataKey, 'dataKey');
    assertIds(params.documentId, params.organisationId);
    this.key = Buffer.from(params.dataKey);
    this.prefix = aadPrefix(params.documentId, params.organisationId);
  }
}

class EncryptTransform extends ChunkedCipherTransform {
  private readonly iv = randomBytes(IV_LENGTH);
  private headerSent = false;

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.sendHeader();
      this.pending.push(toBuffer(chunk, encoding));
      // Strictly more than a chunk buffered: this one is certainly not the last.
      while (this.pending.length > CHUNK_SIZE) this.seal(this.pending.take(CHUNK_SIZE), false);
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.sendHeader();
      this.seal(this.pending.take(this.pending.length), true);
      this.key.fill(0);
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.key.fill(0);
    callback(error);
  }

  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(Buffer.concat([Buffer.of(DOCUMENT_FORMAT_VERSION), this.iv]));
  }

  private seal(plaintext: Buffer, final: boolean): void {
    if (this.index >= MAX_CHUNKS) throw new RangeError('document too large for one data key');
    const cipher = createCipheriv(ALGORITHM, this.key, chunkNonce(this.iv, this.index), { authTagLength: TAG_LENGTH });
    cipher.setAAD(chunkAad(this.prefix, this.index, final));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    this.index += 1;
    this.push(body);
  }
}

class DecryptTransform extends ChunkedCipherTransform {
  private iv: Buffer | undefined;

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.pending.push(toBuffer(chunk, encoding));
      this.readHeader();
      if (this.iv) {
        // Strictly more than a sealed chunk buffered: this one is not the last, whatever follows.
        while (this.pending.length > CHUNK_SIZE + TAG_LENGTH)
          this.open(this.pending.take(CHUNK_SIZE + TAG_LENGTH), false);
      }
      callback();
    } catch (e) {
      this.key.fill(0);
      callback(e as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.readHeader();
      if (!this.iv) throw new DocumentIntegrityError('encrypted document is truncated (incomplete header)');
      if (this.pending.length < TAG_LENGTH)
        throw new DocumentIntegrityError('encrypted document is truncated (incomplete chunk)');
      this.open(this.pending.take(this.pending.length), true);
      this.key.fill(0);
      callback();
    } catch (e) {
      this.key.fill(0);
      callback(e as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.key.fill(0);
    callback(error);
  }

  private readHeader(): void {
    if (this.iv || this.pending.length < HEADER_LENGTH) return;
    const header = this.pending.take(HEADER_LENGTH);
    if (header[0] !== DOCUMENT_FORMAT_VERSION)
      throw new DocumentIntegrityError(`unsupported encrypted document version ${header[0]}`);
    this.iv = header.subarray(1);
  }

  private open(sealed: Buffer, final: boolean): void {
    if (!this.iv) throw new DocumentIntegrityError('encrypted document header missing');
    if (this.index >= MAX_CHUNKS) throw new DocumentIntegrityError('encrypted document has too many chunks');
    const body = sealed.subarray(0, sealed.length - TAG_LENGTH);
    const tag = sealed.subarray(sealed.length - TAG_LENGTH);
    const decipher = createDecipheriv(ALGORITHM, this.key, chunkNonce(this.iv, this.index), {
      authTagLength: TAG_LENGTH,
    });
    decipher.setAAD(chunkAad(this.prefix, this.index, final));
    decipher.setAuthTag(tag);
    let plaintext: Buffer;
    try {
      // Held back until final() has verified the tag: nothing unauthenticated is ever pushed.
      plaintext = Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new DocumentIntegrityError(`encrypted document failed authentication at chunk ${this.index}`);
    }
    this.index += 1;
    this.push(plaintext);
  }
}

/** Plaintext in, stored format out. Streaming: holds at most about one chunk. */
export function encryptStream(params: DocumentCipherParams): Transform {
  return new EncryptTransform(params);
}

/**
 * Stored format in, plaintext out, one verified chunk at a time. Errors with DocumentIntegrityError
 * (before emitting any byte of the offending chunk) on any alteration, truncation or extension.
 */
export function decryptStream(params: DocumentCipherParams): Transform {
  return new DecryptTransform(params);
}

/** Size of the stored file for a plaintext of `plaintextLength` bytes. */
export function encryptedLength(plaintextLength: number): number {
  const chunks = Math.max(1, Math.ceil(plaintextLength / CHUNK_SIZE));
  return HEADER_LENGTH + plaintextLength + chunks * TAG_LENGTH;
}

function wrapAad(aad: string): Buffer {
  if (typeof aad !== 'string' || aad.length === 0) throw new TypeError('aad is required');
  return Buffer.from(WRAP_AAD_CONTEXT + aad, 'utf8');
}

/** Seals a data key under the master key: "dk1.<iv>.<tag>.<ciphertext>" (base64url). `aad` is the documentId. */
export function wrapDataKey(dataKey: Buffer, masterKey: Buffer, aad: string): string {
  assertKey(dataKey, 'dataKey');
  assertKey(masterKey, 'masterKey');
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv(ALGORITHM, masterKey, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(wrapAad(aad));
  const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return [WRAP_PREFIX, ...[iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'))].join('.');
}

/** Opens a wrapped data key; throws DocumentIntegrityError for a wrong master key, wrong aad or altered value. */
export function unwrapDataKey(wrapped: string, masterKey: Buffer, aad: string): Buffer {
  assertKey(masterKey, 'masterKey');
  const parts = typeof wrapped === 'string' ? wrapped.split('.') : [];
  if (parts.length !== 4 || parts[0] !== WRAP_PREFIX) throw new DocumentIntegrityError('wrapped data key is malformed');
  const [iv, tag, body] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
  if (iv.length !== IV_LENGTH || tag.length !== TAG_LENGTH || body.length !== DATA_KEY_LENGTH) {
    throw new DocumentIntegrityError('wrapped data key is malformed');
  }
  const decipher = createDecipheriv(ALGORITHM, masterKey, iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(wrapAad(aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DocumentIntegrityError('wrapped data key failed authentication (wrong master key or document)');
  }
}

/** Key rotation: re-wraps a data key under a new master key; the stored file is untouched. */
export function rewrapDataKey(wrapped: string, oldMasterKey: Buffer, newMasterKey: Buffer, aad: string): string {
  const dataKey = unwrapDataKey(wrapped, oldMasterKey, aad);
  try {
    return wrapDataKey(dataKey, newMasterKey, aad);
  } finally {
    dataKey.fill(0);
  }
}
