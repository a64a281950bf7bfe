import { invalidValue } from './errors';

/**
 * When two userNames (or two group displayNames) are the same name, and which names are
 * refused. RFC 7643 §4.1.1 makes userName unique and case-insensitive; "case" alone leaves
 * `café` written precomposed and decomposed, `ＡＢＣ` and `abc`, `x<ZWSP>z` and `xz`, `STRASSE`
 * and `straße` apart, though a person (and an identity provider's admin) reads each pair as
 * one name. The value is stored and answered exactly as sent; only the comparison uses the key.
 */

/**
 * The comparison key of a unique name: Unicode's NFKC_Casefold (UAX #44) in substance.
 * Default-ignorable characters (zero-width spaces and joiners, soft hyphens, bidi marks,
 * variation selectors) are dropped, then NFKC, full case folding, NFKC again.
 *
 * NFKC, not NFC: compatibility variants (fullwidth `ＡＢＣ`, ligatures `ﬁ`, superscripts,
 * circled and mathematical letters) are the confusables a directory must not hold twice, and
 * PRECIS (RFC 8265) maps width the same way for usernames.
 *
 * Full case folding (CaseFolding.txt, statuses C and F) is lower, upper, lower of each
 * character: checked against Python's str.casefold over every assigned code point, the two
 * agree on which characters are one name, except that the round trip would fold the dotless
 * `ı` into `i`, which case folding keeps apart; `ı` is kept as it is.
 *
 * For printable ASCII this is `toLowerCase()`, the key used before: existing guards keep it.
 */
export function uniqueKey(value: string): string {
  if (PRINTABLE_ASCII.test(value)) return value.toLowerCase();
  const compatible = value.replace(DEFAULT_IGNORABLE, '').normalize('NFKC');
  let folded = '';
  for (const char of compatible) folded += char === DOTLESS_I ? char : char.toLowerCase().toUpperCase().toLowerCase();
  return folded.normalize('NFKC');
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const DOTLESS_I = '\u0131';

/** Control characters (C0, DEL, C1) and the line and paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
/** Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder what is shown. */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;
/** What shows nothing: white space and default-ignorable characters. */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * Refuses a unique name that cannot be told apart from another one when shown: one with a
 * control character, a bidi override (the "Trojan Source" reordering, CVE-2021-42574), or
 * nothing visible at all. 400 invalidValue (RFC 7644 §3.12: a value incompatible with the
 * attribute). Which character is named by its code point, never echoed raw.
 */
export function checkUniqueName(value: string, attribute: string): void {
  if (PRINTABLE_ASCII.test(value)) {
    if (value.trim() === '') throw invalidValue(`"${attribute}" must have a visible character.`);
    return;
  }
  const control = CONTROL.exec(value) ?? BIDI_CONTROL.exec(value);
  if (control) {
    const kind = BIDI_CONTROL.test(control[0]) ? 'a bidi control character' : 'a control character';
    throw invalidValue(`"${attribute}" contains ${kind} (${codePoint(control[0])}); it must be plain text.`);
  }
  if (value.replace(INVISIBLE, '') === '') throw invalidValue(`"${attribute}" must have a visible character.`);
}

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
