import { foldName } from '../sanctions/normalise';

/**
 * Whether the firm the FCA register gives a firm reference number (FRN) to is the organisation
 * that claims it. An FRN is public, so quoting another firm's number must not pass as regulation.
 *
 * Names are compared after removing the variation two writings of one firm's name have:
 *  - case, accents, punctuation and spacing (the sanctions folding: "Acme-Payments Ltd." ≡
 *    "ACME PAYMENTS LTD"; spaces are ignored altogether, so "Acme Pay Ltd" ≡ "AcmePay Ltd");
 *  - "&" ≡ "and", and the article "The" anywhere ("Acme Ltd, The");
 *  - the spelling of a legal form: Limited/Ltd (and Welsh Cyfyngedig/Cyf), Public Limited
 *    Company/PLC (Welsh CCC), Limited Liability Partnership/LLP, Company/Co, Corporation/Corp,
 *    Incorporated/Inc;
 *  - a legal form written on one side only, at the end ("Acme Payments" ≡ "Acme Payments Ltd").
 * Anything else differs: another word ("Acme Payments Holdings Ltd"), a different legal form
 * ("Acme Payments LLP" is another legal person than "Acme Payments Ltd"), a different firm.
 *
 * The Companies House number, when the register gives one, must equal the organisation's
 * registration number, compared without spaces and with purely numeric numbers padded to 8
 * digits ("1234567" ≡ "01234567"), as Companies House writes them.
 */

const LEGAL_FORMS: readonly [readonly string[], string][] = [
  [['PUBLIC', 'LIMITED', 'COMPANY'], 'PLC'],
  [['LIMITED', 'LIABILITY', 'PARTNERSHIP'], 'LLP'],
  [['LIMITED', 'PARTNERSHIP'], 'LP'],
  [['CWMNI', 'CYFYNGEDIG', 'CYHOEDDUS'], 'PLC'],
  [['CCC'], 'PLC'],
  [['LIMITED'], 'LTD'],
  [['CYFYNGEDIG'], 'LTD'],
  [['CYF'], 'LTD'],
  [['COMPANY'], 'CO'],
  [['CORPORATION'], 'CORP'],
  [['INCORPORATED'], 'INC'],
];
/** Forms that end a name; "CO" does not, since "Acme & Co" names the firm. */
const ENDING_FORMS: ReadonlySet<string> = new Set(['PLC', 'LLP', 'LP', 'LTD', 'CORP', 'INC']);

function canonicalTokens(name: string): string[] {
  const tokens = foldName(name.replace(/&/g, ' and '))
    .split(' ')
    .filter((t) => t !== '' && t !== 'THE');
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    const form = LEGAL_FORMS.find(([words]) => words.every((w, k) => tokens[i + k] === w));
    if (form) {
      out.push(form[1]);
      i += form[0].length;
    } else out.push(tokens[i++]);
  }
  return out;
}

/** A firm name reduced to what tells firms apart: `{ body, form }`, e.g. "ACMEPAYMENTS" and "LTD". */
export function firmNameKey(name: string): { body: string; form: string | null } {
  const tokens = canonicalTokens(name);
  const last = tokens[tokens.length - 1];
  const form = tokens.length > 1 && last !== undefined && ENDING_FORMS.has(last) ? last : null;
  return { body: (form ? tokens.slice(0, -1) : tokens).join(''), form };
}

/** Same firm name, up to the ordinary variation listed in the module comment. */
export function sameFirmName(a: string, b: string): boolean {
  const ka = firmNameKey(a);
  const kb = firmNameKey(b);
  if (ka.body === '' || ka.body !== kb.body) return false;
  return ka.form === null || kb.form === null || ka.form === kb.form;
}

/** A Companies House number as Companies House writes it: upper case, no spaces, 8 characters for numeric ones. */
export function companyNumberKey(value: string): string {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  return /^\d{1,8}$/.test(compact) ? compact.padStart(8, '0') : compact;
}

export type FirmMismatch = 'name' | 'companies_house_number';

/** What differs between the register's firm and the organisation (empty when it is the same firm). */
export function firmMismatches(
  firm: { name: string; companiesHouseNumber?: string | null },
  org: { legalName: string; registrationNumber: string },
): FirmMismatch[] {
  const out: FirmMismatch[] = [];
  if (!sameFirmName(firm.name, org.legalName)) out.push('name');
  const registered = firm.companiesHouseNumber?.trim();
  if (registered && companyNumberKey(registered) !== companyNumberKey(org.registrationNumber))
    out.push('companies_house_number');
  return out;
}
