import { crc32 } from 'node:zlib';

/**
 * One definition of "a complete, well-formed file of this type", used by the upload (which reads
 * the bytes as they stream past, see FileInspector) and by the integrity check (which reads the
 * stored file whole, see checks/rules/integrity.ts). Both feed bytes to the same readers below, so
 * a file can never be taken at upload and called damaged by the check, or the other way round.
 *
 * What each type must look like (the decisions, and why):
 *
 * | type | before the file   | the file proper                                         | after its end              |
 * | ---- | ----------------- | ------------------------------------------------------- | -------------------------- |
 * | JPEG | nothing: SOI at 0 | segments walked to the EOI that ends the primary image  | anything, any length       |
 * | PNG  | nothing: sig at 0 | chunks with good CRCs and in order, ending with IEND    | nothing                    |
 * | PDF  | nothing: %PDF- at 0 | `%PDF-1.0`…`%PDF-2.0`; `startxref N %%EOF`, N in file | at most 1 KiB              |
 *
 * - JPEG trailing data is accepted and reported (`trailingBytes`): phones append a video (Google
 *   and Samsung motion photos), further images (CIPA DC-007 Multi-Picture Format) or maker
 *   trailers after the EOI of the main image, at any length. Refusing them refused real photos.
 * - PNG trailing data is refused: no producer writes after IEND (APNG frames are chunks before it),
 *   so bytes there are hidden data or a second file glued on (PNG spec, 5.6: IEND is the last chunk).
 * - A PDF's final `%%EOF` must lie within its last 1024 bytes: the rule Acrobat applies (PDF
 *   Reference 1.7, Appendix H, note 18). The few bytes producers leave after it (line ends, NUL
 *   padding) are accepted and reported; more means data appended after the document or a cut file.
 * - Nothing may come before a file's signature, not even a UTF-8 byte-order mark: ISO 32000-2,
 *   7.5.2 puts `%PDF-` on the first line, and a BOM in front of a PDF means it went through a text
 *   tool, which usually damages the binary parts too. The uploader is told to send the original.
 *
 * Content rules (image dimensions, PDF encryption and active content) are not completeness: the
 * integrity check reports them to reviewers on top of this verdict; the upload does not refuse them.
 */

export const ACCEPTED_MIME_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type AcceptedMimeType = (typeof ACCEPTED_MIME_TYPES)[number];

/** The final `%%EOF` of a PDF must start within this many bytes of the end (Acrobat's rule). */
export const PDF_EOF_WINDOW = 1024;

/** What a reader found. */
export interface Completeness {
  /** Null for a complete, well-formed file; otherwise what is wrong, in words for the uploader. */
  problem: string | null;
  /** Facts for reviewers: dimensions, PDF version, bytes after the end marker, offsets. */
  facts: Record<string, unknown>;
}

/** Reads a file chunk by chunk, holding only a few bytes of state; `finish` gives the verdict. */
export interface CompletenessReader {
  push(chunk: Buffer): void;
  finish(): Completeness;
}

/** A reader for one accepted type. */
export function completenessReader(type: AcceptedMimeType): CompletenessReader {
  switch (type) {
    case 'image/jpeg':
      return new JpegReader();
    case 'image/png':
      return new PngReader();
    case 'application/pdf':
      return new PdfReader();
  }
}

/** The verdict on a whole file in memory: the same readers as the upload uses. */
export function checkCompleteness(type: AcceptedMimeType, bytes: Buffer): Completeness {
  const reader = completenessReader(type);
  reader.push(bytes);
  return reader.finish();
}

/** Collects a fixed number of bytes that may arrive split over chunks. */
class Field {
  private bytes: number[] = [];
  constructor(private readonly size: number) {}
  /** Takes what it still needs from `chunk` at `i`; returns how many bytes it took. */
  take(chunk: Buffer, i: number): number {
    const n = Math.min(this.size - this.bytes.length, chunk.length - i);
    for (let k = 0; k < n; k++) this.bytes.push(chunk[i + k]);
    return n;
  }
  get full(): boolean {
    return this.bytes.length === this.size;
  }
  get length(): number {
    return this.bytes.length;
  }
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

// ---------------------------------------------------------------------------------------------
// JPEG (ITU-T T.81, annex B): markers, length-prefixed segments, entropy-coded data after SOS.

/** Start-of-frame markers: SOF0-3, 5-7, 9-11, 13-15 (C4 is DHT, C8 JPG, CC DAC). */
const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const isRestart = (m: number) => m >= 0xd0 && m <= 0xd7;
const NO_SOI = 'The file does not start with the JPEG start-of-image marker';

type JpegState =
  'soi0' | 'soi1' | 'marker' | 'fill' | 'length' | 'payload' | 'entropy' | 'entropyFF' | 'done' | 'error';

class JpegReader implements CompletenessReader {
  private state: JpegState = 'soi0';
  private offset = 0;
  private size = 0;
  private marker = 0;
  private markerAt = 0;
  private lengthField = new Field(2);
  private segmentLength = 0;
  private left = 0;
  /** The first five payload bytes of a frame header: precision, height, width. */
  private frameHeader = new Field(5);
  private frame?: { width: number; height: number; marker: number };
  private scans = 0;
  private end = 0;
  private problem: string | null = null;

  push(chunk: Buffer): void {
    this.size += chunk.length;
    let i = 0;
    while (i < chunk.length && this.state !== 'done' && this.state !== 'error') {
      if (this.state === 'payload') {
        const n = Math.min(this.left, chunk.length - i);
        if (JPEG_SOF.has(this.marker)) this.frameHeader.take(chunk.subarray(0, i + n), i);
        i += n;
        this.left -= n;
        if (this.left === 0) this.endSegment();
        continue;
      }
      if (this.state === 'entropy') {
        const ff = chunk.indexOf(0xff, i);
        i = ff < 0 ? chunk.length : ff + 1;
        if (ff >= 0) this.state = 'entropyFF';
        continue;
      }
      if (this.state === 'length') {
        i += this.lengthField.take(chunk, i);
        if (this.lengthField.full) this.startPayload();
        continue;
      }
      const at = this.offset + i;
      const byte = chunk[i++];
      switch (this.state) {
        case 'soi0':
        case 'soi1':
          if (byte !== (this.state === 'soi0' ? 0xff : 0xd8)) this.fail(NO_SOI);
          else this.state = this.state === 'soi0' ? 'soi1' : 'marker';
          break;
        case 'marker':
          if (byte !== 0xff) this.fail(`The JPEG has no marker where one should be, at offset ${at}`);
          else this.state = 'fill';
          break;
        case 'fill': // 0xFF fill bytes may precede any marker (T.81, B.1.1.2)
          if (byte !== 0xff) this.onMarker(byte, at - 1);
          break;
        case 'entropyFF': // in scan data 0xFF00 is a stuffed byte and RSTn a restart; anything else ends the scan
          if (byte === 0x00 || isRestart(byte)) this.state = 'entropy';
          else if (byte !== 0xff) this.onMarker(byte, at - 1);
          break;
      }
    }
    this.offset += chunk.length;
  }

  finish(): Completeness {
    const facts: Record<string, unknown> = { format: 'jpeg' };
    if (this.frame) {
      const { width, height, marker } = this.frame;
      Object.assign(facts, { width, height, sof: `0x${marker.toString(16)}` });
    }
    if (this.scans) facts.scans = this.scans;
    if (this.state === 'done') return { problem: null, facts: { ...facts, trailingBytes: this.size - this.end } };
    if (this.state === 'error') return { problem: this.problem, facts };
    if (this.state === 'soi0' || this.state === 'soi1') {
      return { problem: NO_SOI, facts };
    }
    return { problem: 'The JPEG has no end-of-image marker: the file is cut short', facts };
  }

  private fail(problem: string): void {
    this.problem = problem;
    this.state = 'error';
  }

  private onMarker(marker: number, at: number): void {
    if (marker === 0xd9) {
      if (!this.frame) return this.fail('The JPEG ends without a frame header (no SOF marker)');
      if (this.scans === 0) return this.fail('The JPEG has no image data (no SOS marker)');
      this.end = at + 2;
      this.state = 'done';
      return;
    }
    if (marker === 0xd8) return this.fail(`The JPEG has a second start-of-image marker at offset ${at}`);
    if (marker === 0x00) return this.fail(`The JPEG has a stray 0xFF00 at offset ${at}`);
    if (isRestart(marker) || marker === 0x01) {
      this.state = 'marker'; // RSTn and TEM stand alone, without a length
      return;
    }
    this.marker = marker;
    this.markerAt = at;
    this.lengthField = new Field(2);
    this.state = 'length';
  }

  private startPayload(): void {
    this.segmentLength = this.lengthField.buffer().readUInt16BE(0);
    if (this.segmentLength < 2) {
      return this.fail(`The JPEG has a segment with invalid length ${this.segmentLength} at offset ${this.markerAt}`);
    }
    this.left = this.segmentLength - 2;
    this.frameHeader = new Field(5);
    this.state = 'payload';
    if (this.left === 0) this.endSegment();
  }

  private endSegment(): void {
    if (JPEG_SOF.has(this.marker)) {
      if (this.segmentLength < 8) return this.fail("The JPEG's frame header is too short");
      if (this.frame) return this.fail('The JPEG has more than one frame header');
      const header = this.frameHeader.buffer();
      this.frame = { height: header.readUInt16BE(1), width: header.readUInt16BE(3), marker: this.marker };
    }
    if (this.marker === 0xda) {
      if (!this.frame) return this.fail('The JPEG has image data before its frame header');
      this.scans++;
      this.state = 'entropy';
      return;
    }
    this.state = 'marker';
  }
}

// ---------------------------------------------------------------------------------------------
// PNG (ISO/IEC 15948, PNG 3rd edition): signature, then length-type-data-CRC chunks up to IEND.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Allowed bit depths per colour type (PNG spec, 11.2.2). */
const PNG_BIT_DEPTHS: Readonly<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

type PngState = 'signature' | 'header' | 'data' | 'crc' | 'after' | 'error';

class PngReader implements CompletenessReader {
  private state: PngState = 'signature';
  private field = new Field(8);
  private chunkAt = 0;
  private type = '';
  private length = 0;
  private left = 0;
  private crc = 0;
  private data = new Field(13); // IHDR is the only chunk whose data the rules read
  private index = 0;
  private colourType = -1;
  private sawPalette = false;
  private idat: 'before' | 'in' | 'after' = 'before';
  private trailing = 0;
  private problem: string | null = null;
  private readonly facts: Record<string, unknown> = { format: 'png' };

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && this.state !== 'error') {
      switch (this.state) {
        case 'after':
          this.trailing += chunk.length - i;
          i = chunk.length;
          break;
        case 'signature':
          i += this.field.take(chunk, i);
          if (!this.field.full) break;
          if (!this.field.buffer().equals(PNG_SIGNATURE)) {
            return this.fail('The file does not start with the PNG signature');
          }
          this.nextChunk(PNG_SIGNATURE.length);
          break;
        case 'header':
          i += this.field.take(chunk, i);
          if (this.field.full) this.startData();
          break;
        case 'data': {
          const n = Math.min(this.left, chunk.length - i);
          const part = chunk.subarray(i, i + n);
          this.crc = crc32(part, this.crc);
          if (this.type === 'IHDR') this.data.take(part, 0);
          i += n;
          this.left -= n;
          if (this.left === 0) this.state = 'crc';
          break;
        }
        case 'crc':
          i += this.field.take(chunk, i);
          if (this.field.full) this.endChunk();
          break;
      }
    }
  }

  finish(): Completeness {
    const facts = this.facts;
    switch (this.state) {
      case 'error':
        return { problem: this.problem, facts };
      case 'after':
        if (this.trailing > 0) {
          const problem = `The PNG has ${this.trailing} bytes after its IEND chunk (data hidden after the image)`;
          return { problem, facts: { ...facts, trailingBytes: this.trailing } };
        }
        return { problem: null, facts: { ...facts, trailingBytes: 0 } };
      case 'signature':
        return { problem: 'The file does not start with the PNG signature', facts };
      case 'header':
        if (this.field.length === 0) return { problem: 'The PNG has no IEND chunk: the file is cut short', facts };
        return { problem: `The PNG is cut short: a chunk header at offset ${this.chunkAt} is incomplete`, facts };
      default: {
        const { type, chunkAt } = this;
        const problem = `The PNG is cut short: the ${type} chunk at offset ${chunkAt} runs past the end of the file`;
        return { problem, facts };
      }
    }
  }

  private fail(problem: string, facts: Record<string, unknown> = {}): void {
    this.problem = problem;
    Object.assign(this.facts, facts);
    this.state = 'error';
  }

  private nextChunk(at: number): void {
    this.chunkAt = at;
    this.field = new Field(8);
    this.state = 'header';
  }

  private startData(): void {
    const header = this.field.buffer();
    this.length = header.readUInt32BE(0);
    this.type = header.toString('latin1', 4, 8);
    if (!/^[A-Za-z]{4}$/.test(this.type)) {
      return this.fail(`The PNG has a malformed chunk type at offset ${this.chunkAt}`);
    }
    if (this.length > 0x7fffffff) {
      return this.fail(`The PNG's ${this.type} chunk at offset ${this.chunkAt} claims an impossible length`);
    }
    this.crc = crc32(header.subarray(4, 8));
    this.data = new Field(13);
    this.left = this.length;
    this.field = new Field(4);
    this.state = this.length === 0 ? 'crc' : 'data';
  }

  private endChunk(): void {
    const at = this.chunkAt;
    const type = this.type;
    if (this.field.buffer().readUInt32BE(0) !== this.crc >>> 0) {
      const problem = `The PNG's ${type} chunk at offset ${at} has a bad CRC (the file is corrupted)`;
      return this.fail(problem, { chunk: type, offset: at });
    }
    const problem = this.orderProblem();
    if (problem) return this.fail(problem);
    if (type === 'IEND') {
      this.state = 'after';
      return;
    }
    this.index++;
    this.nextChunk(at + 12 + this.length);
  }

  /** The chunk-order rules of PNG spec 5.6, and IHDR's fields (11.2.2). */
  private orderProblem(): string | undefined {
    const type = this.type;
    if (this.index === 0 && type !== 'IHDR') return `The PNG's first chunk is ${type}, not IHDR`;
    if (this.idat === 'in' && type !== 'IDAT') this.idat = 'after';
    switch (type) {
      case 'IHDR': {
        if (this.index !== 0) return 'The PNG has a second IHDR chunk';
        if (this.length !== 13) return `The PNG's IHDR chunk is ${this.length} bytes long, not 13`;
        const d = this.data.buffer();
        const [bitDepth, colour, compression, filter, interlace] = [d[8], d[9], d[10], d[11], d[12]];
        const [width, height] = [d.readUInt32BE(0), d.readUInt32BE(4)];
        Object.assign(this.facts, { width, height, bitDepth, colourType: colour });
        if (!PNG_BIT_DEPTHS[colour]?.includes(bitDepth)) {
          return `The PNG's IHDR has an invalid colour type ${colour} / bit depth ${bitDepth}`;
        }
        if (compression !== 0 || filter !== 0 || interlace > 1) {
          return "The PNG's IHDR has an invalid compression, filter or interlace method";
        }
        this.colourType = colour;
        return undefined;
      }
      case 'PLTE':
        if (this.idat !== 'before') return 'The PNG has its PLTE chunk after the image data';
        if (this.length === 0 || this.length % 3 !== 0 || this.length > 768) {
          return `The PNG's PLTE chunk has an invalid length ${this.length}`;
        }
        this.sawPalette = true;
        return undefined;
      case 'IDAT':
        if (this.idat === 'after') return "The PNG's IDAT chunks are not consecutive";
        if (this.colourType === 3 && !this.sawPalette) {
          return 'The PNG is palette-based but has no PLTE chunk before its image data';
        }
        this.idat = 'in';
        return undefined;
      case 'IEND':
        if (this.length !== 0) return "The PNG's IEND chunk is not empty";
        if (this.idat === 'before') return 'The PNG has no image data (no IDAT chunk)';
        return undefined;
      default:
        // Ancillary chunks (lowercase first letter) may be skipped by decoders; an unknown critical one may not.
        return type[0] === type[0].toUpperCase() ? `The PNG has an unknown critical chunk ${type}` : undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// PDF (ISO 32000-2, 7.5): the header on the first line, `startxref N %%EOF` at the end.

const PDF_HEAD_BYTES = 1024;
/** Room before the final %%EOF for `startxref`, its offset and line ends. */
const PDF_TAIL_BYTES = PDF_EOF_WINDOW + 64;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

class PdfReader implements CompletenessReader {
  private head = Buffer.alloc(0);
  private tail = Buffer.alloc(0);
  private size = 0;

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.head.length < PDF_HEAD_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, PDF_HEAD_BYTES - this.head.length)]);
    }
    // Copied, so the reader never keeps a whole upload chunk alive.
    this.tail =
      chunk.length >= PDF_TAIL_BYTES
        ? Buffer.from(chunk.subarray(-PDF_TAIL_BYTES))
        : Buffer.concat([this.tail, chunk]).subarray(-PDF_TAIL_BYTES);
  }

  finish(): Completeness {
    const facts: Record<string, unknown> = { format: 'pdf' };
    const head = this.head.toString('latin1');
    if (!head.startsWith('%PDF-')) {
      const at = head.indexOf('%PDF-');
      if (at < 0) return { problem: 'The file does not start with a PDF header (%PDF-1.0 to %PDF-2.0)', facts };
      const bom = at === 3 && this.head.subarray(0, 3).equals(UTF8_BOM);
      const what = bom ? ' (a UTF-8 byte-order mark, added by a text tool)' : '';
      const problem =
        `The PDF has ${at} bytes before its %PDF- header${what}; a PDF must start with its header: ` +
        'send the original file';
      return { problem, facts: { ...facts, leadingBytes: at } };
    }
    const header = /^%PDF-(1\.[0-7]|2\.0)/.exec(head);
    if (!header) return { problem: 'The file does not start with a PDF header (%PDF-1.0 to %PDF-2.0)', facts };
    facts.pdfVersion = header[1];

    const tail = this.tail.toString('latin1');
    const tailStart = this.size - this.tail.length;
    const eof = tail.lastIndexOf('%%EOF');
    if (eof < 0 || tailStart + eof < this.size - PDF_EOF_WINDOW) {
      const problem =
        `The PDF has no %%EOF marker in its last ${PDF_EOF_WINDOW} bytes: ` +
        'the file is cut short or has data appended';
      return { problem, facts };
    }
    facts.trailingBytes = this.size - (tailStart + eof + 5);
    const xref = [...tail.slice(0, eof + 5).matchAll(/startxref\s+(\d+)\s+%%EOF/g)].pop();
    if (!xref) return { problem: 'The PDF has no startxref before its final %%EOF', facts };
    if (Number(xref[1]) >= this.size) {
      return { problem: `The PDF's startxref points to offset ${xref[1]}, past the end of the file`, facts };
    }
    return { problem: null, facts };
  }
}
