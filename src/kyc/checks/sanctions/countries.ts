import { getAlpha2Codes } from 'i18n-iso-countries/index';
import { foldName } from './normalise';

/**
 * Country names (and a few demonyms and old names) as they appear in the HMT list's Nationality
 * column, mapped to ISO 3166-1 alpha-2. Keys are compared after {@link foldName} (upper case, no
 * diacritics or punctuation). Anything not found is kept as written.
 */
const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  AFGHANISTAN: 'AF', ALBANIA: 'AL', ALGERIA: 'DZ', ANGOLA: 'AO', ARGENTINA: 'AR', ARMENIA: 'AM', AUSTRALIA: 'AU',
  AUSTRIA: 'AT', AZERBAIJAN: 'AZ', BAHRAIN: 'BH', BANGLADESH: 'BD', BELARUS: 'BY', BELGIUM: 'BE', BOLIVIA: 'BO',
  'BOSNIA AND HERZEGOVINA': 'BA', BRAZIL: 'BR', BULGARIA: 'BG', 'BURKINA FASO': 'BF', BURMA: 'MM', MYANMAR: 'MM',
  BURUNDI: 'BI', CAMBODIA: 'KH', CAMEROON: 'CM', CANADA: 'CA', 'CENTRAL AFRICAN REPUBLIC': 'CF', CHAD: 'TD',
  CHILE: 'CL', CHINA: 'CN', COLOMBIA: 'CO', CROATIA: 'HR', CUBA: 'CU', CYPRUS: 'CY', CZECHIA: 'CZ',
  'CZECH REPUBLIC': 'CZ', 'DEMOCRATIC REPUBLIC OF THE CONGO': 'CD', 'DEMOCRATIC REPUBLIC OF CONGO': 'CD',
  'CONGO DEMOCRATIC REPUBLIC': 'CD', CONGO: 'CG', 'REPUBLIC OF THE CONGO': 'CG', DENMARK: 'DK', DJIBOUTI: 'DJ',
  EGYPT: 'EG', ERITREA: 'ER', ESTONIA: 'EE', ETHIOPIA: 'ET', FINLAND: 'FI', FRANCE: 'FR', GEORGIA: 'GE',
  GERMANY: 'DE', GHANA: 'GH', GREECE: 'GR', GUATEMALA: 'GT', GUINEA: 'GN', 'GUINEA BISSAU': 'GW', HAITI: 'HT',
  'HONG KONG': 'HK', HUNGARY: 'HU', ICELAND: 'IS', INDIA: 'IN', INDONESIA: 'ID', IRAN: 'IR', IRAQ: 'IQ',
  IRELAND: 'IE', ISRAEL: 'IL', ITALY: 'IT', JAPAN: 'JP', JORDAN: 'JO', KAZAKHSTAN: 'KZ', KENYA: 'KE',
  KOSOVO: 'XK', KUWAIT: 'KW', KYRGYZSTAN: 'KG', LAOS: 'LA', LATVIA: 'LV', LEBANON: 'LB', LIBERIA: 'LR',
  LIBYA: 'LY', LIECHTENSTEIN: 'LI', LITHUANIA: 'LT', LUXEMBOURG: 'LU', MALAYSIA: 'MY', MALI: 'ML', MALTA: 'MT',
  MEXICO: 'MX', MOLDOVA: 'MD', MONACO: 'MC', MONGOLIA: 'MN', MONTENEGRO: 'ME', MOROCCO: 'MA', MOZAMBIQUE: 'MZ',
  NETHERLANDS: 'NL', 'THE NETHERLANDS': 'NL', 'NEW ZEALAND': 'NZ', NICARAGUA: 'NI', NIGER: 'NE', NIGERIA: 'NG',
  'NORTH KOREA': 'KP', 'KOREA NORTH': 'KP', 'DEMOCRATIC PEOPLES REPUBLIC OF KOREA': 'KP', DPRK: 'KP',
  'NORTH MACEDONIA': 'MK', NORWAY: 'NO', OMAN: 'OM', PAKISTAN: 'PK', PALESTINE: 'PS', PANAMA: 'PA', PERU: 'PE',
  PHILIPPINES: 'PH', POLAND: 'PL', PORTUGAL: 'PT', QATAR: 'QA', ROMANIA: 'RO', RUSSIA: 'RU',
  'RUSSIAN FEDERATION': 'RU', RWANDA: 'RW', 'SAUDI ARABIA': 'SA', SENEGAL: 'SN', SERBIA: 'RS', SINGAPORE: 'SG',
  SLOVAKIA: 'SK', SLOVENIA: 'SI', SOMALIA: 'SO', 'SOUTH AFRICA': 'ZA', 'SOUTH KOREA': 'KR', 'KOREA SOUTH': 'KR',
  'SOUTH SUDAN': 'SS', SPAIN: 'ES', 'SRI LANKA': 'LK', SUDAN: 'SD', SWEDEN: 'SE', SWITZERLAND: 'CH', SYRIA: 'SY',
  'SYRIAN ARAB REPUBLIC': 'SY', TAIWAN: 'TW', TAJIKISTAN: 'TJ', TANZANIA: 'TZ', THAILAND: 'TH', TUNISIA: 'TN',
  TURKEY: 'TR', TURKIYE: 'TR', TURKMENISTAN: 'TM', UGANDA: 'UG', UKRAINE: 'UA', 'UNITED ARAB EMIRATES': 'AE',
  UAE: 'AE', 'UNITED KINGDOM': 'GB', UK: 'GB', 'GREAT BRITAIN': 'GB', 'UNITED STATES': 'US',
  'UNITED STATES OF AMERICA': 'US', USA: 'US', URUGUAY: 'UY', UZBEKISTAN: 'UZ', VENEZUELA: 'VE', VIETNAM: 'VN',
  'VIET NAM': 'VN', YEMEN: 'YE', ZAMBIA: 'ZM', ZIMBABWE: 'ZW',
  // Demonyms sometimes written instead of the country.
  AFGHAN: 'AF', BELARUSIAN: 'BY', BRITISH: 'GB', CHINESE: 'CN', CYPRIOT: 'CY', GERMAN: 'DE', IRANIAN: 'IR',
  IRAQI: 'IQ', LEBANESE: 'LB', LIBYAN: 'LY', NORWEGIAN: 'NO', POLISH: 'PL', RUSSIAN: 'RU', SYRIAN: 'SY',
  UKRAINIAN: 'UA', HUNGARIAN: 'HU', MOLDOVAN: 'MD', ICELANDIC: 'IS',
};

/**
 * Every ISO 3166-1 alpha-2 code plus XK (Kosovo), from i18n-iso-countries' code table (the bare
 * index, without the locales' names): the codes a KYB form accepts as a nationality, so that each
 * of them is recognised when screened, not only those of the countries named above.
 */
const ISO_CODES: ReadonlySet<string> = new Set(Object.keys(getAlpha2Codes()));

/**
 * ISO alpha-2 for a country name, demonym or code ("Russia", "Russian Federation", "russian",
 * "RU" → "RU"); `undefined` if unknown. "UK" maps to GB. The names are those the HMT list writes,
 * kept here rather than taken from a locale's names, which spell many of them differently.
 */
export function countryCode(raw: string): string | undefined {
  const folded = foldName(raw);
  if (folded === '') return undefined;
  const byName = COUNTRY_NAMES[folded];
  if (byName !== undefined) return byName;
  if (folded.length === 2 && ISO_CODES.has(folded)) return folded;
  return undefined;
}

/**
 * Splits an HMT Nationality cell into its countries: "(1) Syria (2) Lebanon" → ["SY", "LB"],
 * "Russia" → ["RU"], "Atlantis" → ["Atlantis"] (raw text kept when the name is not known).
 */
export function parseNationalities(cell: string): string[] {
  const parts = cell
    .split(/\(\s*\d+\s*\)/)
    .map((p) => p.trim().replace(/[\s,;]+$/, ''))
    .filter((p) => p !== '');
  return parts.map((p) => countryCode(p) ?? p);
}
