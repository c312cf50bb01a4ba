import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid RGB PNG whose pixels depend on `seed`, so each call can give a different file. */
export function pngImage(width: number, height: number, seed = 0): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 7 + seed) & 255;
      raw[o + 1] = (y * 5 + seed * 3) & 255;
      raw[o + 2] = ((x + y) * 3 + seed * 7) & 255;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function jpegSegment(marker: number, payload: number[]): number[] {
  const length = payload.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...payload];
}

const oneCodeTable = (tableClassAndId: number) =>
  jpegSegment(0xc4, [tableClassAndId, 1, ...new Array<number>(15).fill(0), 0x00]);

/**
 * A baseline greyscale JPEG written by hand, `width` × `height` in its frame header but with a
 * single 8 × 8 block of data: DC difference of category 0 (Huffman code '0'), then end-of-block
 * (code '0'); the byte 0x3F pads with ones. Enough for structure checks, not for a decoder.
 */
export function jpegImage(width = 1, height = 1, { eoi = true } = {}): Buffer {
  return Buffer.from([
    0xff,
    0xd8,
    ...jpegSegment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // JFIF APP0
    ...jpegSegment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    ...jpegSegment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...oneCodeTable(0x00),
    ...oneCodeTable(0x10),
    ...jpegSegment(0xda, [1, 1, 0x00, 0, 63, 0]),
    0x3f,
    ...(eoi ? [0xff, 0xd9] : []),
  ]);
}
