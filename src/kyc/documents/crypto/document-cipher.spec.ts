import { randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CHUNK_SIZE,
  DocumentIntegrityError,
  HEADER_LENGTH,
  TAG_LENGTH,
  decryptStream,
  encryptStream,
  encryptedLength,
  newDataKey,
  rewrapDataKey,
  unwrapDataKey,
  wrapDataKey,
} from './document-cipher';

const documentId = 'doc-5b0c1e7e';
const organisationId = 'org-1f2a3b4c';

/** Feeds `data` in pieces of `pieceSize` (default: odd-sized, to cross chunk boundaries) so streaming is exercised. */
function source(data: Buffer, pieceSize = 10_007): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += pieceSize) yield data.subarray(at, at + pieceSize);
    })(),
    { objectMode: false },
  );
}

async function collect(stream: Transform, data: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(source(data), stream, async function* (chunks: AsyncIterable<Buffer>) {
    for await (const c of chunks) out.push(c);
  });
  return Buffer.concat(out);
}

/** What the consumer got before the error, and the error. */
async function collectUntilError(stream: Transform, data: Buffer): Promise<{ received: Buffer; error: unknown }> {
  const out: Buffer[] = [];
  let error: unknown;
  try {
    await pipeline(source(data), stream, async function* (chunks: AsyncIterable<Buffer>) {
      for await (const c of chunks) out.push(c);
    });
  } catch (e) {
    error = e;
  }
  return { received: Buffer.concat(out), error };
}

const encrypt = (plain: Buffer, key: Buffer, ids = { documentId, organisationId }) =>
  collect(encryptStream({ ...ids, dataKey: key }), plain);
const decrypt = (sealed: Buffer, key: Buffer, ids = { documentId, organisationId }) =>
  collect(decryptStream({ ...ids, dataKey: key }), sealed);

function flip(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] ^= 0x01;
  return copy;
}

/** Offset of chunk `i` (0-based) in the stored format. */
const chunkOffset = (i: number) => HEADER_LENGTH + i * (CHUNK_SIZE + TAG_LENGTH);

describe('document cipher: streaming chunked AES-256-GCM', () => {
  const key = newDataKey();

  it.each([
    ['0 bytes', 0],
    ['1 byte', 1],
    ['exactly one chunk', CHUNK_SIZE],
    ['one chunk + 1', CHUNK_SIZE + 1],
    ['exactly two chunks', 2 * CHUNK_SIZE],
    ['1 MiB + 7 bytes', 1024 * 1024 + 7],
  ])('round-trips %s', async (_name, size) => {
    const plain = randomBytes(size);
    const sealed = await encrypt(plain, key);
    expect(sealed.length).toBe(encryptedLength(size));
    expect(sealed[0]).toBe(1);
    const opened = await decrypt(sealed, key);
    expect(opened.equals(plain)).toBe(true);
  });

  it('round-trips whatever the size of the pieces written', async () => {
    const plain = randomBytes(3 * CHUNK_SIZE + 123);
    const sealed = await collect(encryptStream({ documentId, organisationId, dataKey: key }), plain);
    for (const piece of [13, TAG_LENGTH, CHUNK_SIZE + TAG_LENGTH, CHUNK_SIZE + TAG_LENGTH + 1, sealed.length]) {
      const out: Buffer[] = [];
      await pipeline(
        source(sealed, piece),
        decryptStream({ documentId, organisationId, dataKey: key }),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const c of chunks) out.push(c);
        },
      );
      expect(Buffer.concat(out).equals(plain)).toBe(true);
    }
    const tiny = randomBytes(300);
    const tinySealed = await collect(encryptStream({ documentId, organisationId, dataKey: key }), tiny);
    const out: Buffer[] = [];
    await pipeline(
      source(tinySealed, 1),
      decryptStream({ documentId, organisationId, dataKey: key }),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) out.push(c);
      },
    );
    expect(Buffer.concat(out).equals(tiny)).toBe(true);
  });

  it('streams in both directions: output flows before the input has ended', async () => {
    const plain = randomBytes(5 * CHUNK_SIZE);
    const enc = encryptStream({ documentId, organisationId, dataKey: key });
    const sealedParts: Buffer[] = [];
    enc.on('data', (c: Buffer) => sealedParts.push(c));
    enc.write(plain);
    await new Promise((resolve) => setImmediate(resolve));
    // Everything but the (possibly final) last chunk has been sealed and emitted without end().
    expect(Buffer.concat(sealedParts).length).toBe(HEADER_LENGTH + 4 * (CHUNK_SIZE + TAG_LENGTH));
    enc.end();
    await new Promise((resolve) => enc.on('end', resolve));
    const sealed = Buffer.concat(sealedParts);

    const dec = decryptStream({ documentId, organisationId, dataKey: key });
    const plainParts: Buffer[] = [];
    dec.on('data', (c: Buffer) => plainParts.push(c));
    dec.write(sealed.subarray(0, chunkOffset(3) + 1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(plainParts).length).toBe(3 * CHUNK_SIZE);
    dec.end(sealed.subarray(chunkOffset(3) + 1));
    await new Promise((resolve) => dec.on('end', resolve));
    expect(Buffer.concat(plainParts).equals(plain)).toBe(true);
  });

  it('uses a fresh IV per file: the same plaintext and key give different ciphertexts', async () => {
    const plain = Buffer.from('same bytes');
    const a = await encrypt(plain, key);
    const b = await encrypt(plain, key);
    expect(a.equals(b)).toBe(false);
  });

  describe('tampering', () => {
    const plain = randomBytes(4 * CHUNK_SIZE + 999); // five chunks
    let sealed: Buffer;
    beforeAll(async () => {
      sealed = await encrypt(plain, key);
    });

    it.each([
      ['version byte', () => 0],
      ['IV in the header', () => 5],
      ['first byte of the first chunk', () => HEADER_LENGTH],
      ['middle of a middle chunk', () => chunkOffset(2) + 100],
      ['tag of a middle chunk', () => chunkOffset(3) - 1],
      ['last byte (last tag)', () => sealed.length - 1],
    ])('a flipped byte in the %s fails the read', async (_name, at) => {
      const { error } = await collectUntilError(
        decryptStream({ documentId, organisationId, dataKey: key }),
        flip(sealed, at()),
      );
      expect(error).toBeInstanceOf(DocumentIntegrityError);
    });

    it('exhaustively: a flipped byte at any of a sample of offsets fails the read', async () => {
      const small = await encrypt(randomBytes(2 * CHUNK_SIZE + 5), key);
      for (let at = 0; at < small.length; at += 997) {
        await expect(decrypt(flip(small, at), key)).rejects.toBeInstanceOf(DocumentIntegrityError);
      }
    });

    it('with a flipped byte in chunk 3 the consumer gets at most chunks 1–2 verbatim, then the error', async () => {
      const { received, error } = await collectUntilError(
        decryptStream({ documentId, organisationId, dataKey: key }),
        flip(sealed, chunkOffset(2) + 1234),
      );
      expect(error).toBeInstanceOf(DocumentIntegrityError);
      expect((error as Error).message).toMatch(/chunk 2\b/);
      expect(received.length).toBeLessThanOrEqual(2 * CHUNK_SIZE);
      expect(received.length % CHUNK_SIZE).toBe(0);
      expect(received.equals(plain.subarray(0, received.length))).toBe(true);
    });

    it('dropping the last chunk (truncation at a chunk boundary) fails', async () => {
      await expect(decrypt(sealed.subarray(0, chunkOffset(4)), key)).rejects.toBeInstanceOf(DocumentIntegrityError);
    });

    it('truncation inside a chunk, inside the header, or to nothing fails', async () => {
      for (const length of [sealed.length - 1, chunkOffset(4) + 10, chunkOffset(1) + 3, HEADER_LENGTH, 5, 0]) {
        await expect(decrypt(sealed.subarray(0, length), key)).rejects.toBeInstanceOf(DocumentIntegrityError);
      }
    });

    it('extension (a byte or a whole chunk appended) fails', async () => {
      await expect(decrypt(Buffer.concat([sealed, Buffer.of(0)]), key)).rejects.toBeInstanceOf(DocumentIntegrityError);
      const chunk1 = sealed.subarray(chunkOffset(1), chunkOffset(2));
      await expect(decrypt(Buffer.concat([sealed, chunk1]), key)).rejects.toBeInstanceOf(DocumentIntegrityError);
    });

    it('reordering two chunks fails', async () => {
      const swapped = Buffer.concat([
        sealed.subarray(0, chunkOffset(1)),
        sealed.subarray(chunkOffset(2), chunkOffset(3)),
        sealed.subarray(chunkOffset(1), chunkOffset(2)),
        sealed.subarray(chunkOffset(3)),
      ]);
      await expect(decrypt(swapped, key)).rejects.toBeInstanceOf(DocumentIntegrityError);
    });

    it('an empty file truncated to its header (its only, final chunk dropped) fails', async () => {
      const empty = await encrypt(Buffer.alloc(0), key);
      await expect(decrypt(empty.subarray(0, HEADER_LENGTH), key)).rejects.toBeInstanceOf(DocumentIntegrityError);
    });

    it('the wrong documentId, organisationId or data key fails', async () => {
      await expect(decrypt(sealed, key, { documentId: 'doc-other', organisationId })).rejects.toBeInstanceOf(
        DocumentIntegrityError,
      );
      await expect(decrypt(sealed, key, { documentId, organisationId: 'org-other' })).rejects.toBeInstanceOf(
        DocumentIntegrityError,
      );
      await expect(decrypt(sealed, newDataKey())).rejects.toBeInstanceOf(DocumentIntegrityError);
    });

    it('ids cannot be shifted between documentId and organisationId', async () => {
      const ids = { documentId: 'ab', organisationId: 'c' };
      const s = await encrypt(Buffer.from('x'), key, ids);
      await expect(decrypt(s, key, { documentId: 'b', organisationId: 'ca' })).rejects.toBeInstanceOf(
        DocumentIntegrityError,
      );
      await expect(decrypt(s, key, { documentId: 'ab', organisationId: 'c' })).resolves.toEqual(Buffer.from('x'));
    });
  });

  it('refuses a data key that is not 32 bytes', () => {
    expect(() => encryptStream({ documentId, organisationId, dataKey: randomBytes(16) })).toThrow(TypeError);
    expect(() => decryptStream({ documentId, organisationId, dataKey: randomBytes(31) })).toThrow(TypeError);
  });
});

describe('data key wrapping', () => {
  const master = randomBytes(32);

  it('wraps and unwraps to the same key, as a compact string', () => {
    const dataKey = newDataKey();
    const wrapped = wrapDataKey(dataKey, master, documentId);
    expect(wrapped).toMatch(/^dk1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(wrapped.length).toBeLessThan(100);
    expect(unwrapDataKey(wrapped, master, documentId).equals(dataKey)).toBe(true);
  });

  it('is bound to the documentId', () => {
    const wrapped = wrapDataKey(newDataKey(), master, documentId);
    expect(() => unwrapDataKey(wrapped, master, 'doc-other')).toThrow(DocumentIntegrityError);
  });

  it('refuses a tampered or malformed value', () => {
    const wrapped = wrapDataKey(newDataKey(), master, documentId);
    const parts = wrapped.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    const tampered = [...parts.slice(0, 3), body.toString('base64url')].join('.');
    expect(() => unwrapDataKey(tampered, master, documentId)).toThrow(DocumentIntegrityError);
    expect(() => unwrapDataKey('garbage', master, documentId)).toThrow(DocumentIntegrityError);
    expect(() => unwrapDataKey(wrapped.replace(/^dk1/, 'dk2'), master, documentId)).toThrow(DocumentIntegrityError);
  });

  it('rewraps under a new master key; the old master key no longer unwraps the new value', async () => {
    const dataKey = newDataKey();
    const newMaster = randomBytes(32);
    const plain = randomBytes(CHUNK_SIZE + 10);
    const sealed = await encrypt(plain, dataKey);
    const wrapped = wrapDataKey(dataKey, master, documentId);

    const rewrapped = rewrapDataKey(wrapped, master, newMaster, documentId);
    expect(rewrapped).not.toBe(wrapped);
    expect(() => unwrapDataKey(rewrapped, master, documentId)).toThrow(DocumentIntegrityError);
    expect(() => unwrapDataKey(wrapped, newMaster, documentId)).toThrow(DocumentIntegrityError);
    const unwrapped = unwrapDataKey(rewrapped, newMaster, documentId);
    expect(unwrapped.equals(dataKey)).toBe(true);
    // The stored file is untouched and still opens with the key recovered via the new master key.
    expect((await decrypt(sealed, unwrapped)).equals(plain)).toBe(true);
  });

  it('rewrap with the wrong old master key fails', () => {
    const wrapped = wrapDataKey(newDataKey(), master, documentId);
    expect(() => rewrapDataKey(wrapped, randomBytes(32), randomBytes(32), documentId)).toThrow(DocumentIntegrityError);
  });

  it('refuses master keys that are not 32 bytes', () => {
    expect(() => wrapDataKey(newDataKey(), randomBytes(16), documentId)).toThrow(TypeError);
  });
});
