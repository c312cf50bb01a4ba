/**
 * ISO 3166-1 alpha-3 codes (as ICAO 9303 MRZs use them for issuing state and nationality) mapped
 * to ISO 3166-1 alpha-2, plus the codes ICAO adds (Doc 9303 Part 3, section 5).
 *
 * The ISO part is the full list of the 249 officially assigned codes.
 */
const ISO_ALPHA3_TO_ALPHA2_TEXT = `
AFG AF ALA AX ALB AL DZA DZ ASM AS AND AD AGO AO AIA AI ATA AQ ATG AG ARG AR ARM AM ABW AW AUS AU
AUT AT AZE AZ BHS BS BHR BH BGD BD BRB BB BLR BY BEL BE BLZ BZ BEN BJ BMU BM BTN BT BOL BO BES BQ
BIH BA BWA BW BVT BV BRA BR IOT IO BRN BN BGR BG BFA BF BDI BI CPV CV KHM KH CMR CM CAN CA CYM KY
CAF CF TCD TD CHL CL CHN CN CXR CX CCK CC COL CO COM KM COG CG COD CD COK CK CRI CR CIV CI HRV HR
CUB CU CUW CW CYP CY CZE CZ DNK DK DJI DJ DMA DM DOM DO ECU EC EGY EG SLV SV GNQ GQ ERI ER EST EE
SWZ SZ ETH ET FLK FK FRO FO FJI FJ FIN FI FRA FR GUF GF PYF PF ATF TF GAB GA GMB GM GEO GE DEU DE
GHA GH GIB GI GRC GR GRL GL GRD GD GLP GP GUM GU GTM GT GGY GG GIN GN GNB GW GUY GY HTI HT HMD HM
VAT VA HND HN HKG HK HUN HU ISL IS IND IN IDN ID IRN IR IRQ IQ IRL IE IMN IM ISR IL ITA IT JAM JM
JPN JP JEY JE JOR JO KAZ KZ KEN KE KIR KI PRK KP KOR KR KWT KW KGZ KG LAO LA LVA LV LBN LB LSO LS
LBR LR LBY LY LIE LI LTU LT LUX LU MAC MO MDG MG MWI MW MYS MY MDV MV MLI ML MLT MT MHL MH MTQ MQ
MRT MR MUS MU MYT YT MEX MX FSM FM MDA MD MCO MC MNG MN MNE ME MSR MS MAR MA MOZ MZ MMR MM NAM NA
NRU NR NPL NP NLD NL NCL NC NZL NZ NIC NI NER NE NGA NG NIU NU NFK NF MKD MK MNP MP NOR NO OMN OM
PAK PK PLW PW PSE PS PAN PA PNG PG PRY PY PER PE PHL PH PCN PN POL PL PRT PT PRI PR QAT QA REU RE
ROU RO RUS RU RWA RW BLM BL SHN SH KNA KN LCA LC MAF MF SPM PM VCT VC WSM WS SMR SM STP ST SAU SA
SEN SN SRB RS SYC SC SLE SL SGP SG SXM SX SVK SK SVN SI SLB SB SOM SO ZAF ZA SGS GS SSD SS ESP ES
LKA LK SDN SD SUR SR SJM SJ SWE SE CHE CH SYR SY TWN TW TJK TJ TZA TZ THA TH TLS TL TGO TG TKL TK
TON TO TTO TT TUN TN TUR TR TKM TM TCA TC TUV TV UGA UG UKR UA ARE AE GBR GB USA US UMI UM URY UY
UZB UZ VUT VU VEN VE VNM VN VGB VG VIR VI WLF WF ESH EH YEM YE ZMB ZM ZWE ZW
`;

function parsePairs(text: string): Map<string, string> {
  const words = text.trim().split(/\s+/);
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < words.length; i += 2) map.set(words[i], words[i + 1]);
  return map;
}

/** ISO 3166-1 alpha-3 → alpha-2, the 249 assigned codes. */
export const ISO_ALPHA3_TO_ALPHA2: ReadonlyMap<string, string> = parsePairs(ISO_ALPHA3_TO_ALPHA2_TEXT);

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
