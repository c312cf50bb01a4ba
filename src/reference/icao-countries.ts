// The package's main entry registers every locale's country names; the bare index holds only the
// code tables, which is all an MRZ needs.
import { getAlpha3Codes } from 'i18n-iso-countries/index';

/**
 * Codes the library lists that ISO 3166-1 has not assigned: XKK/XK, the user-assigned codes some
 * bodies use for Kosovo. ICAO 9303 writes Kosovo as RKS (see {@link ICAO_SPECIAL_CODES}), so an MRZ
 * with XKK is not a valid one.
 */
const NOT_ISO_ASSIGNED: ReadonlySet<string> = new Set(['XKK']);

/**
 * ISO 3166-1 alpha-3 → alpha-2, the 249 officially assigned codes (as ICAO 9303 MRZs use them for
 * issuing state and nationality), from i18n-iso-countries' code table.
 */
export const ISO_ALPHA3_TO_ALPHA2: ReadonlyMap<string, string> = new Map(
  Object.entries(getAlpha3Codes()).filter(([alpha3]) => !NOT_ISO_ASSIGNED.has(alpha3)),
);

export interface IcaoCode {
  /** The ISO 3166-1 alpha-2 code this MRZ code stands for; null when it names no country. */
  alpha2: string | null;
  /** What the code means, for reviewers, when it is not a plain ISO country. */
  note?: string;
}

/**
 * Codes ICAO 9303 uses beside ISO 3166-1. The British codes all mean a kind of British nationality,
 * so they map to GB. `UTO` is Utopia, the fictional state of the ICAO specimens: it maps to itself
 * so that the specimens can be checked end to end.
 */
export const ICAO_SPECIAL_CODES: ReadonlyMap<string, IcaoCode> = new Map<string, IcaoCode>([
  ['D', { alpha2: 'DE', note: 'Germany (ICAO code D)' }],
  ['GBD', { alpha2: 'GB', note: 'British Overseas Territories citizen' }],
  ['GBN', { alpha2: 'GB', note: 'British National (Overseas)' }],
  ['GBO', { alpha2: 'GB', note: 'British Overseas citizen' }],
  ['GBP', { alpha2: 'GB', note: 'British protected person' }],
  ['GBS', { alpha2: 'GB', note: 'British subject' }],
  ['UNO', { alpha2: null, note: 'United Nations Organization or one of its officials' }],
  ['UNA', { alpha2: null, note: 'a specialised agency of the United Nations or one of its officials' }],
  ['UNK', { alpha2: null, note: 'resident of Kosovo (UNMIK travel document)' }],
  ['XXA', { alpha2: null, note: 'stateless person' }],
  ['XXB', { alpha2: null, note: 'refugee (1951 Convention)' }],
  ['XXC', { alpha2: null, note: 'refugee (other than under the 1951 Convention)' }],
  ['XXX', { alpha2: null, note: 'unspecified nationality' }],
  ['EUE', { alpha2: null, note: 'European Union (laissez-passer)' }],
  ['XOM', { alpha2: null, note: 'Sovereign Military Order of Malta' }],
  ['XPO', { alpha2: null, note: 'INTERPOL' }],
  ['RKS', { alpha2: 'XK', note: 'Kosovo (user-assigned XK)' }],
  ['UTO', { alpha2: 'UTO', note: 'Utopia, the ICAO specimen state' }],
]);

/**
 * Reads a nationality or issuing-state code from an MRZ (fillers `<` already removed).
 * Returns undefined for a code neither ISO nor ICAO knows.
 */
export function icaoCode(code: string): IcaoCode | undefined {
  const c = code.replace(/</g, '').toUpperCase();
  const special = ICAO_SPECIAL_CODES.get(c);
  if (special) return special;
  const alpha2 = ISO_ALPHA3_TO_ALPHA2.get(c);
  return alpha2 ? { alpha2 } : undefined;
}
