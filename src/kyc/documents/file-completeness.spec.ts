import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { jpegImage, pngImage } from '../../../test/harness/images';
import { checkIntegrity } from '../checks/rules/integrity';
import { AcceptedMimeType, PDF_EOF_WINDOW, checkCompleteness } from './file-completeness';
import { FileInspector } from './file-inspector';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'uploads');
const PDF = readFileSync(join(FIXTURES, 'certificate-of-incorporation.pdf'));
const JPEG = jpegImage(3, 2);
const PNG = pngImage(20, 10, 1);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const cat = (...parts: (Buffer | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
/** What a phone appends after the EOI of a motion photo: the start of an MP4 (ftyp box), then video. */
const motionVideo = (size: number) => cat(Buffer.from([0, 0, 0, 0x18]), 'ftypmp42', Buffer.alloc(size - 12, 0x5a));
const flipped = (b: Buffer, at: number) => {
  const copy = Buffer.from(b);
  copy[at] ^= 0x01;
  return copy;
};

/** The upload's verdict: the bytes streamed through the inspector in chunks of `chunkSize`. */
type Verdict = { accepted: boolean; problem: string | null };

async function upload(bytes: Buffer, type: AcceptedMimeType, size: number): Promise<Verdict> {
  const inspector = new FileInspector();
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  await pipeline(Readable.from(chunks), inspector, new Writable({ write: (_c, _e, done) => done() }));
  if (inspector.detectedType() !== type) {
    return { accepted: false, problem: `detected as ${inspector.detectedType() ?? 'nothing accepted'}` };
  }
  const { problem } = inspector.completeness(type);
  return { accepted: problem === null, problem };
}

type Variant = [name: string, file: Buffer, accepted: boolean];

const JPEGS: Variant[] = [
  ['JPEG', JPEG, true],
  ['JPEG + 512 bytes after EOI', cat(JPEG, motionVideo(512)), true],
  ['JPEG + 4 KiB motion-photo video after EOI (the issue)', cat(JPEG, motionVideo(4096)), true],
  ['JPEG + 1 MiB video after EOI', cat(JPEG, motionVideo(1024 * 1024)), true],
  ['JPEG + a second JPEG (Multi-Picture Format)', cat(JPEG, jpegImage(1, 1)), true],
  ['JPEG whose trailer holds 0xFFD9 bytes', cat(JPEG, Buffer.from([0xff, 0xd9, 0xff, 0xd9, 1, 2])), true],
  ['JPEG without EOI', jpegImage(3, 2, { eoi: false }), false],
  ['JPEG cut inside a segment', JPEG.subarray(0, 30), false],
  [
    'JPEG cut before EOI, 4 KiB of EOI-free data',
    cat(jpegImage(3, 2, { eoi: false }), Buffer.alloc(4096, 0x11)),
    false,
  ],
  ['JPEG behind a UTF-8 BOM', cat(BOM, JPEG), false],
  ['JPEG with a broken marker', flipped(JPEG, 20), false],
];

const PNGS: Variant[] = [
  ['PNG', PNG, true],
  ['PNG + 1 byte after IEND', cat(PNG, '\n'), false],
  ['PNG + 4 KiB after IEND', cat(PNG, Buffer.alloc(4096, 7)), false],
  ['PNG + a PDF after IEND', cat(PNG, PDF), false],
  ['PNG cut 5 bytes short', PNG.subarray(0, PNG.length - 5), false],
  ['PNG with a bad CRC in its image data', flipped(PNG, 8 + 25 + 10), false],
  ['PNG behind a UTF-8 BOM', cat(BOM, PNG), false],
];

const PDFS: Variant[] = [
  ['PDF', PDF, true],
  ['PDF behind a UTF-8 BOM (the issue)', cat(BOM, PDF), false],
  ['PDF behind a line of junk', cat('junk\n', PDF), false],
  ['PDF behind a single space', cat(' ', PDF), false],
  ['PDF + a line end after %%EOF', cat(PDF, '\r\n'), true],
  ['PDF + NUL padding, %%EOF still in the last 1 KiB', cat(PDF, Buffer.alloc(PDF_EOF_WINDOW - 12)), true],
  ['PDF + 2 KiB after %%EOF', cat(PDF, Buffer.alloc(2048, 0x20)), false],
  ['PDF + a JPEG after %%EOF', cat(PDF, motionVideo(4096)), false],
  ['PDF + a comment and a second %%EOF', cat(PDF, '% note\n%%EOF\n'), true],
  ['PDF cut short', PDF.subarray(0, PDF.length - 7), false],
  ['PDF without startxref', Buffer.from(PDF.toString('latin1').replace('startxref', 'startxrex'), 'latin1'), false],
];

const CORPUS: (readonly [name: string, type: AcceptedMimeType, file: Buffer, accepted: boolean])[] = [
  ...JPEGS.map(([n, f, a]) => [n, 'image/jpeg', f, a] as const),
  ...PNGS.map(([n, f, a]) => [n, 'image/png', f, a] as const),
  ...PDFS.map(([n, f, a]) => [n, 'application/pdf', f, a] as const),
];

describe('one definition of a complete file, for the upload and the integrity check', () => {
  it('has a corpus whose bases are clean files', () => {
    expect(checkIntegrity(JPEG, 'image/jpeg').result).toBe('pass');
    expect(checkIntegrity(PNG, 'image/png').result).toBe('pass');
    expect(checkIntegrity(PDF, 'application/pdf').result).toBe('pass');
  });

  it.each(CORPUS)('%s (%s): the upload and the integrity check agree', async (_name, type, file, accepted) => {
    const check = checkIntegrity(file, type);
    const chunkSizes = file.length < 65536 ? [1, 7, 4096, 65536] : [7, 4096, 65536];
    const verdicts = await Promise.all(chunkSizes.map((size) => upload(file, type, size)));
    // Whatever the chunking, the upload gives one answer, and it is the check's.
    for (const verdict of verdicts) expect(verdict).toEqual(verdicts[0]);
    const agreed = { upload: verdicts[0].accepted, integrity: check.result !== 'fail' };
    expect(agreed).toEqual({ upload: accepted, integrity: accepted });
    // When both refuse a file of the right type, they say the same thing.
    const refusedAsType = !accepted && !verdicts[0].problem?.startsWith('detected as');
    if (refusedAsType) expect(verdicts[0].problem).toBe(check.detail.reason);
  });

  it('reports the bytes after a JPEG end marker to reviewers instead of refusing them', () => {
    const r = checkIntegrity(cat(JPEG, motionVideo(4096)), 'image/jpeg');
    expect(r).toMatchObject({ result: 'pass', detail: { trailingBytes: 4096, width: 3, height: 2 } });
  });

  it('tells the uploader what is wrong with a PDF behind a byte-order mark', () => {
    expect(checkCompleteness('application/pdf', cat(BOM, PDF))).toMatchObject({
      problem: expect.stringMatching(/^The PDF has 3 bytes before its %PDF- header \(a UTF-8 byte-order mark/),
      facts: { leadingBytes: 3 },
    });
  });

  it('keeps content rules out of completeness: a PDF with JavaScript is complete, and the check fails it', () => {
    const script = '/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>';
    const active = Buffer.from(PDF.toString('latin1').replace('/Type /Catalog', script), 'latin1');
    expect(checkCompleteness('application/pdf', active).problem).toBeNull();
    expect(checkIntegrity(active, 'application/pdf').result).toBe('fail');
  });
});
