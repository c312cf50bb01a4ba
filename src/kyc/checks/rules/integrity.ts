import { constants as zlibConstants, inflateRawSync, inflateSync } from 'node:zlib';
import { checkCompleteness } from '../../documents/file-completeness';
import { CheckResult, checkResult } from './check-result';
import { ActionFinding, PdfName, pdfActions, pdfNames } from './pdf-actions';

/**
 * Does the file decode as its type? First the completeness verdict the upload also applies
 * (documents/file-completeness.ts: what may come before and after each type, structure), then this
 * check's own rules: PNG and JPEG dimensions (at most 8,000 × 8,000); PDF not encrypted and without
 * active content (scripts, actions, external references, embedded files, XFA, rich media),
 * including inside compressed streams.
 *
 * Pure: the bytes come in, a result goes out. Documents are at most 10 MiB, so they are read whole.
 */

export const INTEGRITY_CHECK_NAME = 'integrity';
export const MAX_IMAGE_DIMENSION = 8000;
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** Total bytes the PDF check may inflate from compressed streams: bounds zip bombs. */
export const MAX_PDF_INFLATED_BYTES = 50 * 1024 * 1024;

type Facts = Record<string, unknown>;

const pass = (reason: string, facts: Facts) => checkResult(INTEGRITY_CHECK_NAME, 'pass', reason, facts);
const warn = (reason: string, facts: Facts) => checkResult(INTEGRITY_CHECK_NAME, 'warn', reason, facts);
const fail = (reason: string, facts: Facts) => checkResult(INTEGRITY_CHECK_NAME, 'fail', reason, facts);

/** Checks the bytes of a document against its declared type (`application/pdf`, `image/jpeg`, `image/png`). */
export function checkIntegrity(bytes: Buffer, mimeType: string): CheckResult {
  const type = mimeType.trim().toLowerCase();
  const facts: Facts = { mimeType: type, size: bytes.length };
  if (bytes.length > MAX_DOCUMENT_BYTES)
    return fail(`The file is ${bytes.length} bytes, more than the ${MAX_DOCUMENT_BYTES} accepted`, facts);
  switch (type) {
    case 'image/png':
    case 'image/jpeg':
      return checkImage(bytes, type, facts);
    case 'application/pdf':
      return checkPdf(bytes, facts);
    default:
      return fail(`Files of type ${JSON.stringify(mimeType)} are not accepted (PDF, JPEG and PNG are)`, facts);
  }
}

/**
 * The same check on a stream of chunks (e.g. the decrypting read stream of the storage port).
 * Stops reading past `maxBytes` and fails. Errors from the stream propagate, so the job is retried.
 */
export async function checkIntegrityOf(
  source: Buffer | AsyncIterable<Uint8Array>,
  mimeType: string,
  maxBytes: number = MAX_DOCUMENT_BYTES,
): Promise<CheckResult> {
  if (Buffer.isBuffer(source)) return checkIntegrity(source, mimeType);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > maxBytes) {
      return fail(`The file is larger than the ${maxBytes} bytes accepted`, {
        mimeType: mimeType.trim().toLowerCase(),
        size: `>${maxBytes}`,
      });
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return checkIntegrity(Buffer.concat(chunks, size), mimeType);
}

function dimensionProblem(width: number, height: number): string | undefined {
  if (width < 1 || height < 1) return `The image claims to be ${width} × ${height} pixels, which is empty`;
  if (width > MAX_IMAGE_DIMENSION || height > MAX_IMAGE_DIMENSION) {
    return `The image is ${width} × ${height} pixels; at most ${MAX_IMAGE_DIMENSION} × ${MAX_IMAGE_DIMENSION} is accepted`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Images: the structure is the upload's completeness verdict; the dimensions are this check's rule.

function checkImage(b: Buffer, type: 'image/png' | 'image/jpeg', facts: Facts): CheckResult {
  const complete = checkCompleteness(type, b);
  Object.assign(facts, complete.facts);
  if (complete.problem) return fail(complete.problem, facts);
  const [width, height] = [facts.width as number, facts.height as number];
  const problem = dimensionProblem(width, height);
  if (problem) return fail(problem, facts);
  return pass(`A well-formed ${type === 'image/png' ? 'PNG' : 'JPEG'} of ${width} × ${height} pixels`, facts);
}

// ---------------------------------------------------------------------------------------------
// PDF

/** PDF names that mean active content, with how a reviewer would call them. */
const ACTIVE_NAMES: ReadonlyMap<string, string> = new Map([
  ['JavaScript', 'JavaScript'],
  ['JS', 'JavaScript'],
  ['OpenAction', 'an action run when the document opens'],
  ['AA', 'additional actions (run on page or field events)'],
  ['Launch', 'a launch action (starts a program or opens a file)'],
  ['EmbeddedFile', 'an embedded file'],
  ['EmbeddedFiles', 'embedded files'],
  ['XFA', 'an XFA form (may hold scripts)'],
  ['RichMedia', 'rich media (Flash or video)'],
  // Platform parameters of a Launch action: only a Launch action has them, however its /S is written.
  ['Win', 'a launch action (starts a Windows program)'],
]);
/** Most links listed as facts for the reviewer. */
const MAX_LISTED_LINKS = 20;

/** Filters whose output is image data, never PDF syntax. */
const IMAGE_FILTERS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'CCITTFaxDecode', 'CCF', 'JBIG2Decode']);

interface PdfStream {
  dict: string;
  /** Offset of the stream data in the file. */
  offset: number;
  data: Buffer;
}

/** Splits a PDF into its streams and the syntax outside them. */
function splitPdf(b: Buffer, text: string): { outside: string; streams: PdfStream[] } {
  const streams: PdfStream[] = [];
  const parts: string[] = [];
  const keyword = /\bstream(?:\r\n|\n|\r)/g;
  let cursor = 0;
  let m: RegExpExecArray | null;
  while ((m = keyword.exec(text))) {
    const dataStart = m.index + m[0].length;
    const objStart = text.lastIndexOf('obj', m.index);
    const dict = text.slice(Math.max(objStart, cursor), m.index);
    let dataEnd = -1;
    let resume = -1;
    const declared = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
    if (declared) {
      const end = dataStart + Number(declared[1]);
      const after = /^\s*endstream/.exec(text.slice(end, end + 32));
      if (end <= text.length && after) [dataEnd, resume] = [end, end + after[0].length];
    }
    if (dataEnd < 0) {
      const end = text.indexOf('endstream', dataStart);
      if (end < 0) break; // no end: the rest is treated as syntax and scanned as such
      dataEnd =
        text[end - 2] === '\r' && text[end - 1] === '\n' ? end - 2 : /[\r\n]/.test(text[end - 1]) ? end - 1 : end;
      resume = end + 'endstream'.length;
    }
    parts.push(text.slice(cursor, dataStart));
    streams.push({ dict, offset: dataStart, data: b.subarray(dataStart, dataEnd) });
    cursor = resume;
    keyword.lastIndex = resume;
  }
  parts.push(text.slice(cursor));
  return { outside: parts.join('\n'), streams };
}

function asciiHexDecode(data: Buffer): Buffer {
  let hex = data.toString('latin1').replace(/[\x00\t\n\f\r ]/g, '');
  const end = hex.indexOf('>');
  if (end >= 0) hex = hex.slice(0, end);
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new Error('invalid ASCIIHex data');
  if (hex.length % 2) hex += '0';
  return Buffer.from(hex, 'hex');
}

function ascii85Decode(data: Buffer): Buffer {
  let s = data.toString('latin1').replace(/[\x00\t\n\f\r ]/g, '');
  if (s.startsWith('<~')) s = s.slice(2);
  const end = s.indexOf('~>');
  if (end >= 0) s = s.slice(0, end);
  const out: number[] = [];
  let tuple = 0;
  let count = 0;
  const flush = (bytes: number) => {
    for (let i = 0; i < bytes; i++) out.push(Math.floor(tuple / 256 ** (3 - i)) % 256);
  };
  for (const ch of s) {
    if (ch === 'z' && count === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    const code = ch.charCodeAt(0) - 33;
    if (code < 0 || code > 84) throw new Error('invalid ASCII85 data');
    tuple = tuple * 85 + code;
    if (++count === 5) {
      flush(4);
      tuple = 0;
      count = 0;
    }
  }
  if (count === 1) throw new Error('invalid ASCII85 data');
  if (count > 1) {
    for (let i = count; i < 5; i++) tuple = tuple * 85 + 84;
    flush(count - 1);
  }
  return Buffer.from(out);
}

class InflateBudgetExceeded extends Error {}

function inflate(data: Buffer, budget: { left: number }): Buffer {
  const options = { maxOutputLength: Math.max(1, budget.left), finishFlush: zlibConstants.Z_SYNC_FLUSH };
  let out: Buffer;
  try {
    try {
      out = inflateSync(data, options);
    } catch (e) {
      // Some producers write raw deflate data without the zlib header; readers accept it.
      if ((e as { code?: string }).code === 'Z_DATA_ERROR') out = inflateRawSync(data, options);
      else throw e;
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      throw new InflateBudgetExceeded();
    throw e;
  }
  budget.left -= out.length;
  return out;
}

/**
 * The stream's filter names, in order, `#xx` escapes decoded; null when the filter is given in a
 * way this check does not follow (an indirect reference).
 */
function filtersOf(dict: string): string[] | null {
  const names = pdfNames(dict);
  const i = names.findIndex((n) => n.name === 'Filter');
  if (i < 0) return [];
  const filter = names[i];
  if (filter.next === '[') {
    const close = dict.indexOf(']', filter.at);
    return names
      .slice(i + 1)
      .filter((n) => close < 0 || n.at < close)
      .map((n) => n.name);
  }
  if (filter.next === '/') return names[i + 1] ? [names[i + 1].name] : [];
  return null;
}

/**
 * Streams that hold binary data no reader parses as PDF syntax (images, embedded font programs,
 * XMP metadata): scanning them for names only finds false positives in random bytes.
 */
function isOpaqueStream(dict: string, filters: string[]): boolean {
  const names = pdfNames(dict).map((n) => n.name);
  const has = (n: string) => names.includes(n);
  // Readers parse an object stream whatever else its dictionary says, so it is always inspected.
  if (has('ObjStm')) return false;
  if (filters.some((f) => IMAGE_FILTERS.has(f))) return true;
  if (has('Image') && has('Subtype')) return true;
  if (has('Length1') || has('Length2') || has('Length3')) return true; // FontFile / FontFile2
  if (has('Type1C') || has('CIDFontType0C') || has('OpenType')) return true; // FontFile3
  if (has('Metadata') && has('XML')) return true;
  return false;
}

interface Finding {
  name: string;
  feature: string;
  where: string;
}

function checkPdf(b: Buffer, facts: Facts): CheckResult {
  const complete = checkCompleteness('application/pdf', b);
  Object.assign(facts, complete.facts);
  if (complete.problem) return fail(complete.problem, facts);

  const text = b.toString('latin1');
  const { outside, streams } = splitPdf(b, text);
  facts.streams = streams.length;

  const outsideNames = pdfNames(outside);
  if (outsideNames.some((n) => n.name === 'Encrypt')) {
    return fail(
      'The PDF is encrypted (/Encrypt in its trailer): its content cannot be checked; ask for an unprotected copy',
      { ...facts, encrypted: true },
    );
  }

  const findings: Finding[] = [];
  const links: ActionFinding[] = [];
  let openActionDestinations = 0;
  let navigationActions = 0;
  const collect = (text: string, names: PdfName[], where: string) => {
    const actions = pdfActions(text, names);
    navigationActions += actions.navigation;
    const byOffset = new Map(actions.findings.map((f) => [f.at, f]));
    for (const n of names) {
      const action = byOffset.get(n.at);
      if (action?.kind === 'link') links.push(action);
      if (action?.kind === 'active') {
        const target = action.target === undefined ? '' : ` to ${JSON.stringify(action.target)}`;
        findings.push({ name: action.action, feature: `${action.feature}${target}`, where });
      }
      const feature = ACTIVE_NAMES.get(n.name);
      if (!feature) continue;
      // `/OpenAction [page /Fit]` only opens at a page (office suites write it); an action is a dictionary.
      if (n.name === 'OpenAction' && n.next === '[') {
        openActionDestinations++;
        continue;
      }
      findings.push({ name: n.name, feature, where });
    }
  };
  collect(outside, outsideNames, 'in the document structure');

  const budget = { left: MAX_PDF_INFLATED_BYTES };
  const cautions: string[] = [];
  let inspected = 0;
  for (const stream of streams) {
    const filters = filtersOf(stream.dict);
    if (filters === null) {
      cautions.push(`a stream at offset ${stream.offset} names its filter indirectly, so it was not inspected`);
      continue;
    }
    if (isOpaqueStream(stream.dict, filters)) continue;
    let data = stream.data;
    let readable = true;
    try {
      for (const filter of filters) {
        if (filter === 'FlateDecode' || filter === 'Fl') data = inflate(data, budget);
        else if (filter === 'ASCIIHexDecode' || filter === 'AHx') data = asciiHexDecode(data);
        else if (filter === 'ASCII85Decode' || filter === 'A85') data = ascii85Decode(data);
        else {
          cautions.push(
            `a stream at offset ${stream.offset} uses the ${filter} filter, which this check cannot read, so it was not inspected`,
          );
          readable = false;
          break;
        }
      }
    } catch (e) {
      if (e instanceof InflateBudgetExceeded) {
        return fail(
          `The PDF's compressed streams inflate to more than ${MAX_PDF_INFLATED_BYTES} bytes (a decompression bomb or a very unusual file); it was not checked further`,
          { ...facts, inflateLimit: MAX_PDF_INFLATED_BYTES },
        );
      }
      return fail(
        `A compressed stream of the PDF at offset ${stream.offset} does not decode (${filters.join(' ')}): the file is corrupted or hides content`,
        { ...facts, streamOffset: stream.offset },
      );
    }
    if (!readable) continue;
    inspected++;
    const syntax = data.toString('latin1');
    const where = `in a ${filters.length ? filters.join('+') + ' ' : ''}stream at offset ${stream.offset}`;
    collect(syntax, pdfNames(syntax), where);
  }
  const inflatedBytes = MAX_PDF_INFLATED_BYTES - budget.left;
  Object.assign(facts, { streamsInspected: inspected, inflatedBytes, openActionDestinations, navigationActions });
  const targets = [...new Set(links.map((l) => l.target ?? '(not written inline)'))];
  if (targets.length > 0) facts.links = targets.slice(0, MAX_LISTED_LINKS);

  if (findings.length > 0) {
    const features = [...new Set(findings.map((f) => f.feature))];
    const first = new Map<string, Finding>();
    for (const f of findings) if (!first.has(f.name)) first.set(f.name, f);
    const list = [...first.values()].map((f) => `/${f.name} (${f.feature}) ${f.where}`).join('; ');
    return fail(`The PDF holds active content: ${list}`, { ...facts, activeContent: [...first.keys()], features });
  }
  // Web and mail links run nothing and are ordinary on statements and bills: they do not raise the
  // case's risk, but the reviewer sees every address in the check's facts and its reason.
  let linked = '';
  if (targets.length > 0) {
    const shown = targets.slice(0, 3).join(', ') + (targets.length > 3 ? ` and ${targets.length - 3} more` : '');
    const count = targets.length === 1 ? 'a web or mail address' : `${targets.length} web or mail addresses`;
    linked = `; it links to ${count} (${shown})`;
  }
  if (cautions.length > 0) {
    const reason = `The PDF is well formed and no active content was found, but ${cautions.join('; ')}${linked}`;
    return warn(reason, { ...facts, uninspectedStreams: cautions.length });
  }
  return pass(
    `A well-formed PDF ${facts.pdfVersion as string}, not encrypted, with no active content found${linked}`,
    facts,
  );
}
