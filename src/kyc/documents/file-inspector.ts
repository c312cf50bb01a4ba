import { filetypeinfo } from 'magic-bytes.js';
import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

export const ACCEPTED_MIME_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type AcceptedMimeType = (typeof ACCEPTED_MIME_TYPES)[number];

const HEAD_BYTES = 4100;
const TAIL_BYTES = 1024;

/**
 * Passes bytes through unchanged while keeping what the upload checks need: the SHA-256 of the
 * plain bytes, the size, the first bytes (magic numbers) and the last ones (end markers). Nothing
 * else is held in memory.
 */
export class FileInspector extends Transform {
  private readonly hash = createHash('sha256');
  private head = Buffer.alloc(0);
  private tail = Buffer.alloc(0);
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.head.length < HEAD_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
    this.tail = Buffer.concat([this.tail, chunk]).subarray(-TAIL_BYTES);
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

  /** A file cut short: each accepted format has an end marker that a truncated upload lacks. */
  looksComplete(type: AcceptedMimeType): boolean {
    switch (type) {
      case 'image/png':
        return this.tail.includes(Buffer.from('IEND')) && this.tail.subarray(-8).equals(Buffer.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]));
      case 'image/jpeg':
        return this.tail.includes(Buffer.from([0xff, 0xd9]));
      case 'application/pdf':
        return this.tail.includes(Buffer.from('%%EOF'));
    }
  }
}
