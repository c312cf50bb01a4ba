import { domainToASCII } from 'node:url';

// Unicode's default case mapping turns U+0130 (İ) into "i" + U+0307, a spelling nobody types;
// PostgreSQL's lower() (glibc) and the Turkish keyboard both mean plain "i".
const DOTTED_CAPITAL_I = /\u0130/g;

/**
 * Case-folds a local part: NFKC, then lower → upper → lower, so the result depends only on the
 * upper-case form (ß, ẞ and ss agree; final ς and σ agree; dotless ı and dotted İ agree with i),
 * then NFKC again because case mapping can leave a string unnormalised (Unicode's NFKC_Casefold
 * does the same, UAX #44 / UTS #39).
 */
const foldLocalPart = (local: string): string =>
  local.normalize('NFKC').replace(DOTTED_CAPITAL_I, 'I').toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');

/**
 * The key under which an email address is one mailbox: the account it names, its lockout and
 * password-reset counters, its invitations, the database's unique index. Pure and total.
 *
 * - Surrounding whitespace is dropped; the address splits at its last `@`.
 * - Local part: NFKC, then case folded (see `foldLocalPart`). NFKC rather than NFC because a key is
 *   never shown or mailed to, and compatibility variants (full-width letters, ligatures, the Kelvin
 *   and Ångström signs) look the same as what they stand for; passwords are NFKC already.
 * - Domain: NFKC, then IDNA (UTS #46, as the WHATWG URL parser does it) to its ASCII (punycode)
 *   form, which also folds case and width: `Bücher.Example` and `xn--bcher-kva.example` are one domain. A
 *   domain IDNA refuses keeps its folded Unicode form (validation refuses such input earlier).
 *
 * Examples: `Mixed.Case@Example.COM` → `mixed.case@example.com`; `A\u030Asa@x.test` and
 * `\u00C5sa@x.test` → `åsa@x.test`.
 *
 * The address as typed is kept separately (users.email) for display and delivery.
 */
export function mailboxKey(address: string): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return foldLocalPart(trimmed);
  // Not foldLocalPart: IDNA keeps ß in a domain (straße.de and strasse.de are different domains).
  const domain = trimmed.slice(at + 1).normalize('NFKC');
  return `${foldLocalPart(trimmed.slice(0, at))}@${domainToASCII(domain) || domain.toLowerCase()}`;
}
