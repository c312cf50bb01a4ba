import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationArguments } from 'class-validator';

/**
 * Names typed by people, cleaned at the edge (the DTOs), in two strengths:
 *
 * - {@link KycName} (people of an organisation, organisation names): names that are screened
 *   against sanctions lists, compared with identity documents and the FCA register, and passed on
 *   to other systems. An invisible or control character in one is refused with a 400 that says
 *   which character and where, never silently removed: the stored name must be exactly what was
 *   declared, a disguised name must leave a trace (the refused request), and systems downstream
 *   that do not strip these characters would otherwise screen a different string.
 * - {@link DisplayName} (developer and staff names, app names): shown in the console, in emails
 *   and on the consent screen, never screened. Invisible and control characters are removed:
 *   a pasted BOM or soft hyphen should not stop a sign-up, and removing them is enough to stop
 *   bidi overrides from disguising the text a reviewer or customer reads.
 *
 * Both normalise to NFC, turn every Unicode space separator (NBSP U+00A0, U+2000–U+200A, narrow
 * NBSP U+202F, U+205F, ideographic U+3000...) into an ASCII space, collapse runs of spaces and trim,
 * since those differ from a space only in rendering.
 *
 * "Invisible" is Unicode category Cc (controls), Cf (format: soft hyphen, zero-width space and
 * joiners, word joiner, bidi marks, overrides and isolates, BOM...), every other
 * Default_Ignorable_Code_Point (combining grapheme joiner, variation selectors, Hangul fillers) and
 * the line and paragraph separators (Zl, Zp). Zero-width joiners have legitimate uses in some
 * scripts (Persian, Indic), but names reach these fields in the Latin form of identity documents
 * and registers, where they have none.
 */

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/u;
const INVISIBLE_ALL = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/gu;
/** Controls and separators that stand between words: removing them must leave a space. */
const WORD_BREAKING = /[\t\n\v\f\r\u001C-\u001F\u0085\u2028\u2029]/g;
const SPACES = /\p{Zs}+/gu;
/** A combining mark with no letter or digit before it, or a third mark in a row (stacked "Zalgo" text). */
const STRAY_MARK = /(?:^|[^\p{L}\p{N}\p{M}])\p{M}|\p{M}{3,}/u;
const LATIN = /\p{Script=Latin}/u;
const CYRILLIC_OR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const WORDS = /[\p{L}\p{M}]+/gu;

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** NFC, Unicode spaces as ASCII spaces, runs collapsed, trimmed. */
function tidy(value: string): string {
  // Not String.trim: it would also drop a BOM or line break at either end, which must be refused.
  return value.normalize('NFC').replace(SPACES, ' ').replace(/ {2,}/g, ' ').replace(/^ | $/g, '');
}

/** The transform of {@link DisplayName}: invisible characters removed (word-breaking ones become a space), then tidied. */
export function cleanDisplayName(value: string): string {
  return tidy(value.replace(WORD_BREAKING, ' ').replace(INVISIBLE_ALL, ''));
}

/**
 * Why a KYC name is refused, or null when it is fine. Checked after the {@link KycName} transform
 * (so spaces are already ASCII): an invisible or control character, a combining mark with no base
 * letter or three marks stacked, or a word that mixes Latin letters with Cyrillic or Greek ones
 * (look-alikes such as Cyrillic "о" in "Vоrnholt", Unicode TR39 mixed-script confusables).
 */
export function kycNameProblem(value: string): string | null {
  const invisible = INVISIBLE.exec(value);
  if (invisible) {
    const at = [...value.slice(0, invisible.index)].length + 1;
    return `contains an invisible or control character (${codePoint(invisible[0])} at character ${at}); type the name with letters, spaces, hyphens and apostrophes only`;
  }
  if (STRAY_MARK.test(value))
    return 'contains accents that are not on a letter; type the name as written on the identity document';
  // The word is given by position, not quoted: problem details may be logged, names may not.
  const words = value.match(WORDS) ?? [];
  const mixed = words.findIndex((word) => LATIN.test(word) && CYRILLIC_OR_GREEK.test(word));
  if (mixed >= 0)
    return `mixes Latin letters with Cyrillic or Greek look-alikes in word ${mixed + 1}; write each word in one alphabet`;
  return null;
}

const tidyString = ({ value }: { value: unknown }) => (typeof value === 'string' ? tidy(value) : value);
const cleanString = ({ value }: { value: unknown }) => (typeof value === 'string' ? cleanDisplayName(value) : value);

/**
 * For names that are screened and compared (people, organisations): tidies spaces (see the module
 * comment) and refuses invisible characters, stray combining marks and mixed-script words, with
 * a message naming the problem. Use in place of a trimming `@Transform`; other validators
 * (`@IsString`, `@MaxLength`...) still apply.
 */
export function KycName(): PropertyDecorator {
  return applyDecorators(
    Transform(tidyString),
    ValidateBy({
      name: 'kycName',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || kycNameProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'name'} ${kycNameProblem(String(args?.value)) ?? 'is not a valid name'}`,
      },
    }),
  );
}

/**
 * For display names (developers, staff, apps): removes invisible and control characters and
 * tidies spaces (see the module comment). Use in place of a trimming `@Transform`.
 */
export function DisplayName(): PropertyDecorator {
  return applyDecorators(Transform(cleanString));
}
