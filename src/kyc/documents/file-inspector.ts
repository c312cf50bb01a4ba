import { filetypeinfo } from 'magic-bytes.js';
import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import {
  ACCEPTED_MIME_TYPES,
  AcceptedMimeType,
  Completeness,
  CompletenessReader,
  completenessReader,
} from './file-completeness';

export { ACCEPTED_MIME_TYPES, AcceptedMimeType };

const HEAD_BYTES = 4100;

/**
 * Passes bytes through unchanged while keeping what the upload checks need: the SHA-256 of the
 * plain bytes, the size, the first bytes (magic numbers) and, per accepted type, the state of the
 * completeness reader that the integrity check also uses (file-completeness.ts). Nothing else is
 * held in memory: each reader keeps a few bytes, the PDF one about 1 KiB of head and tail.
 */
export class FileInspector extends Transform {
  private readonly hash = createHash('sha256');
  private head = Buffer.alloc(0);
  // Every type is read as the bytes pass: the type is only known once the head is in, and a
  // reader for the wrong type stops at its first byte.
  private readonly readers = new Map<AcceptedMimeType, CompletenessReader>(
    ACCEPTED_MIME_TYPES.map((t) => [t, completenessReader(t)]),
  );
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.head.length < HEAD_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
    }
    for (const reader of this.readers.values()) reader.push(chunk);
    done(null, chunk);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }

  /** The type the bytes say, when it is one we accept. */
  detectedType(): AcceptedMimeType | undefined {
    const mimes = filetypeinfo(this.head).map((t) => t.mime);
    return ACCEPTED_MIME_TYPES.find((m) => mimes.includes(m));
  }

  /** Whether the bytes are a complete, well-formed file of `type`: the integrity check's verdict too. */
  completeness(type: AcceptedMimeType): Completeness {
    return this.readers.get(type)!.finish();
  }
}
