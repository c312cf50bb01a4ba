/**
 * PDF syntax the integrity check reads for actions: names (with `#xx` escapes decoded), the
 * dictionary around a key, and string values. Then every action dictionary (`/S /<type>`, ISO
 * 32000-2, 12.6) is judged by the table below.
 */

/** Whitespace and delimiters end a PDF name (ISO 32000-1, 7.2.2). */
const NAME_RE = /\/([^\x00\t\n\f\r ()<>[\]{}/%]*)/g;

export interface PdfName {
  name: string;
  /** Offset of the name within the scanned text. */
  at: number;
  /** Offset just past the name and the whitespace after it. */
  end: number;
  /** The first character after the name and any whitespace. */
  next: string;
}

/** The names in a piece of PDF syntax, `#xx` escapes decoded (so `/J#61vaScript` is `/JavaScript`). */
export function pdfNames(text: string): PdfName[] {
  const names: PdfName[] = [];
  for (const m of text.matchAll(NAME_RE)) {
    const raw = m[1];
    const name = raw.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const after = (m.index ?? 0) + m[0].length;
    const rest = /^[\x00\t\n\f\r ]*(.?)/.exec(text.slice(after, after + 64));
    const space = rest ? rest[0].length - rest[1].length : 0;
    names.push({ name, at: m.index ?? 0, end: after + space, next: rest?.[1] ?? '' });
  }
  return names;
}

export type ActionKind = 'navigation' | 'link' | 'active';

interface ActionRule {
  kind: ActionKind;
  /** What it does, for a reviewer. */
  feature: string;
}

const nav = (feature: string): ActionRule => ({ kind: 'navigation', feature });
const active = (feature: string): ActionRule => ({ kind: 'active', feature });

/**
 * Every action type of PDF 1.7 and 2.0 (ISO 32000-2, Table 201) and what it means for a reviewer:
 *
 * - navigation (passes, counted): stays inside this document and only moves the view or changes
 *   what is shown: GoTo, GoToDp, Thread (without /F), Named (the four standard page names), Hide,
 *   ResetForm, SetOCGState, Trans, GoTo3DView. Office suites and scanners write these.
 * - link (passes, listed): URI to an http, https or mailto address. Banks' and registries' PDFs
 *   carry such links; they run nothing, so they do not raise the risk, but the check lists where
 *   they point for the reviewer.
 * - active (fails): runs code, plays media, sends or reads data, or opens another file: JavaScript,
 *   Launch, SubmitForm, ImportData, GoToR, GoToE, Thread with /F (an article in another file),
 *   Named with a non-standard name (a viewer menu command), Sound, Movie, Rendition,
 *   RichMediaExecute, and URI to anything but a web or mail address (file:, a UNC path such as
 *   `\\host\share`, smb:, javascript:, data:): opening a file on a network share sends the
 *   reader's Windows credentials (NTLM) to that host.
 */
export const PDF_ACTIONS: ReadonlyMap<string, ActionRule> = new Map([
  ['GoTo', nav('a jump to a page of this document')],
  ['GoToDp', nav('a jump to a document part of this document')],
  ['Thread', nav('a jump to an article thread of this document')],
  ['Named', nav('a standard page jump (next, previous, first, last)')],
  ['Hide', nav('shows or hides annotations of this document')],
  ['ResetForm', nav('resets form fields of this document')],
  ['SetOCGState', nav('shows or hides layers of this document')],
  ['Trans', nav('a page transition effect')],
  ['GoTo3DView', nav('changes the view of a 3D model in this document')],
  ['URI', { kind: 'link', feature: 'a link to a web or mail address' }],
  ['JavaScript', active('JavaScript')],
  ['Launch', active('a launch action (starts a program or opens a file)')],
  ['SubmitForm', active('sends form data to an address')],
  ['ImportData', active('imports form data from another file')],
  ['GoToR', active('opens another file (a path or network share)')],
  ['GoToE', active('opens an embedded or external file')],
  ['Sound', active('plays a sound')],
  ['Movie', active('plays a movie')],
  ['Rendition', active('plays media (a rendition)')],
  ['RichMediaExecute', active('sends a command to rich media (Flash or video)')],
]);

/** The names a Named action may use without reaching outside the document (ISO 32000-2, Table 211). */
const STANDARD_NAMED_ACTIONS = new Set(['NextPage', 'PrevPage', 'FirstPage', 'LastPage']);
const WEB_OR_MAIL = /^(https?:\/\/|mailto:)/i;
/** Keys that name the file an action opens (file specifications, 7.11, and Launch's platform dictionaries). */
const FILE_KEYS = ['UF', 'F', 'Unix', 'DOS', 'Mac'];
const MAX_TARGET_CHARS = 200;

export interface ActionFinding {
  /** The action type, e.g. `GoToR`. */
  action: string;
  kind: 'link' | 'active';
  feature: string;
  /** Where it points, when written inline (a URI, a file path). */
  target?: string;
  /** Offset of the action's `/S` within the scanned text. */
  at: number;
}

/** The action dictionaries in a piece of PDF syntax, judged by PDF_ACTIONS; navigation is only counted. */
export function pdfActions(text: string, names: PdfName[]): { findings: ActionFinding[]; navigation: number } {
  const findings: ActionFinding[] = [];
  let navigation = 0;
  names.forEach((n, i) => {
    const type = names[i + 1];
    if (n.name !== 'S' || n.next !== '/' || !type || type.at !== n.end) return;
    const rule = PDF_ACTIONS.get(type.name);
    if (!rule) return; // `/S` also names page-label, structure and transition styles
    const dict = enclosingDictionary(text, n.at);
    const judged = judge(type.name, rule, dict);
    if (judged.kind === 'navigation') navigation++;
    else findings.push({ ...judged, kind: judged.kind, action: type.name, at: n.at });
  });
  return { findings, navigation };
}

function judge(action: string, rule: ActionRule, dict: string): ActionRule & { target?: string } {
  const names = pdfNames(dict);
  switch (action) {
    case 'URI': {
      const target = stringValue(dict, names, ['URI']);
      if (target === undefined) return { kind: 'link', feature: 'a link whose address is not written inline' };
      if (WEB_OR_MAIL.test(target)) return { ...rule, target };
      const share = /^(\\\\|\/\/|file:|smb:)/i.test(target);
      const feature = share ? 'a link to a file or network share' : 'a link that is not to a web or mail address';
      return { kind: 'active', feature, target };
    }
    case 'Named': {
      const n = names.findIndex((x) => x.name === 'N' && x.next === '/');
      const named = n >= 0 ? names[n + 1]?.name : undefined;
      if (named && STANDARD_NAMED_ACTIONS.has(named)) return rule;
      return { kind: 'active', feature: `runs the viewer command ${named ?? '(not written inline)'}` };
    }
    case 'Thread': {
      // An inline thread dictionary has an /F too (its first bead): only the action's own keys count.
      if (!pdfNames(outerLevel(dict)).some((x) => x.name === 'F')) return rule;
      const target = stringValue(dict, names, FILE_KEYS);
      return { kind: 'active', feature: 'a jump to an article thread in another file', target };
    }
    default:
      return rule.kind === 'active' ? { ...rule, target: stringValue(dict, names, FILE_KEYS) } : rule;
  }
}

/** The innermost `<< … >>` around `at`, at most 16 KiB either way; the text near `at` when unbalanced. */
function enclosingDictionary(text: string, at: number): string {
  const LIMIT = 16 * 1024;
  let depth = 0;
  let start = -1;
  for (let i = at - 1; i >= Math.max(0, at - LIMIT); i--) {
    if (text[i] === '>' && text[i - 1] === '>') {
      depth++;
      i--;
    } else if (text[i] === '<' && text[i - 1] === '<') {
      if (depth-- === 0) {
        start = i - 1;
        break;
      }
      i--;
    }
  }
  depth = 0;
  let end = -1;
  for (let i = at; i < Math.min(text.length, at + LIMIT); i++) {
    if (text[i] === '<' && text[i + 1] === '<') {
      depth++;
      i++;
    } else if (text[i] === '>' && text[i + 1] === '>') {
      if (depth-- === 0) {
        end = i + 2;
        break;
      }
      i++;
    }
  }
  return text.slice(start < 0 ? Math.max(0, at - 512) : start, end < 0 ? at + 512 : end);
}

/** The dictionary with the dictionaries nested in it blanked out. */
function outerLevel(dict: string): string {
  let depth = 0;
  let out = '';
  for (let i = 0; i < dict.length; i++) {
    const pair = dict.slice(i, i + 2);
    if (pair === '<<' || pair === '>>') {
      depth += pair === '<<' ? 1 : -1;
      out += '  ';
      i++;
      continue;
    }
    out += depth <= 1 ? dict[i] : ' ';
  }
  return out;
}

/** The first of `keys` in `dict` whose value is a string, decoded and cut to 200 characters. */
function stringValue(dict: string, names: PdfName[], keys: string[]): string | undefined {
  for (const key of keys) {
    for (const n of names) {
      if (n.name !== key) continue;
      const hex = n.next === '<' && dict[n.end + 1] !== '<';
      const value = n.next === '(' ? literalString(dict, n.end) : hex ? hexString(dict, n.end) : undefined;
      if (value !== undefined) return value.length > MAX_TARGET_CHARS ? `${value.slice(0, MAX_TARGET_CHARS)}…` : value;
    }
  }
  return undefined;
}

/** A literal string at `at` (its opening parenthesis), escapes decoded (ISO 32000-2, 7.3.4.2). */
function literalString(text: string, at: number): string {
  const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
  let out = '';
  let depth = 0;
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[++i];
      const octal = /^[0-7]{1,3}/.exec(text.slice(i, i + 3));
      if (octal) {
        out += String.fromCharCode(parseInt(octal[0], 8) & 0xff);
        i += octal[0].length - 1;
      } else if (next === '\r' || next === '\n') {
        if (next === '\r' && text[i + 1] === '\n') i++; // a line continuation
      } else out += ESCAPES[next] ?? next;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && depth-- === 0) break;
    out += c;
  }
  return decodeTextString(out);
}

/** A hex string at `at` (its `<`), whitespace ignored, a missing last digit read as 0. */
function hexString(text: string, at: number): string {
  const close = text.indexOf('>', at);
  let hex = text.slice(at + 1, close < 0 ? undefined : close).replace(/[^0-9A-Fa-f]/g, '');
  if (hex.length % 2) hex += '0';
  return decodeTextString(Buffer.from(hex, 'hex').toString('latin1'));
}

/** UTF-16BE with a byte-order mark, or bytes as they are (7.9.2.2). */
function decodeTextString(s: string): string {
  if (!s.startsWith('\xfe\xff')) return s;
  const bytes = Buffer.from(s.slice(2), 'latin1');
  return bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : s;
}
