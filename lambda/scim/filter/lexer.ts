import { invalidFilter, type ScimError } from '../errors';
import type { CompareOp, Literal } from './ast';

/**
 * The tokenizer of the SCIM filter language (RFC 7644 §3.4.2.2, figure 1). It knows the
 * lexical rules only; which token may follow which is the parser's business.
 */

/** One lexical token; `pos` is the 0-based offset of its first character in the input. */
export type Token =
  /** An attribute path, possibly URN-qualified and dotted: `name.givenName`, `urn:...:User:manager.value`. */
  | { readonly kind: 'path'; readonly text: string; readonly pos: number }
  /** A comparison operator or `pr`, lower-cased (operators are case-insensitive, §3.4.2.2). */
  | { readonly kind: 'op'; readonly op: CompareOp | 'pr'; readonly text: string; readonly pos: number }
  | { readonly kind: 'and' | 'or' | 'not'; readonly text: string; readonly pos: number }
  /** A JSON value: string (escapes decoded), number, true, false or null. */
  | { readonly kind: 'literal'; readonly value: Literal; readonly text: string; readonly pos: number }
  | { readonly kind: '(' | ')' | '[' | ']' | '.'; readonly text: string; readonly pos: number }
  | { readonly kind: 'eof'; readonly text: ''; readonly pos: number };

/** Builds the error a tokenizer or parser failure becomes: invalidFilter, or invalidPath for PATCH. */
export type ErrorFactory = (detail: string) => ScimError;

const OPERATORS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);
const LITERALS: Record<string, Literal> = { true: true, false: false, null: null };
// RFC 7644 §3.4.2.2 separates tokens with SP; other ASCII white space is tolerated.
const SP = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD_CHAR = /[A-Za-z0-9_\-$:.]/;
const NEEDS_JSON_PARSE = /[\\"\u0000-\u001f]/;

/** Quotes at most ~60 characters of untrusted input for an error detail, control characters escaped. */
export function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** Splits filter text into tokens, ending with one `eof` token; throws `fail(...)` on a lexical error. */
export function tokenize(text: string, fail: ErrorFactory = invalidFilter): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const code = text.charCodeAt(pos);
    if (code === SP || code === TAB || code === LF || code === CR) {
      pos += 1;
    } else if (code === 0x28 || code === 0x29 || code === 0x5b || code === 0x5d || code === 0x2e) {
      const ch = text[pos] as '(' | ')' | '[' | ']' | '.';
      tokens.push({ kind: ch, text: ch, pos });
      pos += 1;
    } else if (code === QUOTE) {
      const end = stringEnd(text, pos, fail);
      const literal = text.slice(pos, end);
      tokens.push({ kind: 'literal', value: decodeString(literal, pos, fail), text: literal, pos });
      pos = end;
    } else if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      const word = match(NUMBER, text, pos);
      const value = Number(word);
      if (!word || !Number.isFinite(value) || WORD_CHAR.test(text[pos + word.length] ?? '')) {
        throw fail(`Invalid number at offset ${pos}: ${excerpt(text.slice(pos, pos + 20))}.`);
      }
      tokens.push({ kind: 'literal', value, text: word, pos });
      pos += word.length;
    } else {
      const end = isWordStart(code) ? wordEnd(text, pos + 1) : pos;
      if (end === pos) throw fail(`Unexpected character ${excerpt(text[pos])} at offset ${pos}.`);
      const word = text.slice(pos, end);
      tokens.push(classify(word, pos));
      pos = end;
    }
  }
  tokens.push({ kind: 'eof', text: '', pos });
  return tokens;
}

/** Keywords are recognised case-insensitively (RFC 7644 §3.4.2.2); any other word is a path. */
function classify(word: string, pos: number): Token {
  const lower = word.toLowerCase();
  if (OPERATORS.has(lower)) return { kind: 'op', op: lower as CompareOp | 'pr', text: word, pos };
  if (lower === 'and' || lower === 'or' || lower === 'not') return { kind: lower, text: word, pos };
  if (lower in LITERALS) return { kind: 'literal', value: LITERALS[lower], text: word, pos };
  return { kind: 'path', text: word, pos };
}

// ATTRNAME = ALPHA *(nameChar) plus "$ref" (RFC 7643 §2.1), URIs add ":" and "." (RFC 7644 §3.10):
// a word is [A-Za-z$][A-Za-z0-9_\-$:.]*, scanned by character code (the lexer's hot loop).
function isWordStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x24;
}

function isWordChar(code: number): boolean {
  return (
    isWordStart(code) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f || // _
    code === 0x2d || // -
    code === 0x3a || // :
    code === 0x2e // .
  );
}

/** The offset just after the word whose second character is at `from`. */
function wordEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && isWordChar(text.charCodeAt(end))) end += 1;
  return end;
}

function match(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  return re.exec(text)?.[0];
}

/** The offset just after the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number, fail: ErrorFactory): number {
  let pos = start + 1;
  while (pos < text.length) {
    const ch = text[pos];
    if (ch === '"') return pos + 1;
    pos += ch === '\\' ? 2 : 1;
  }
  throw fail(`Unterminated string starting at offset ${start}: ${excerpt(text.slice(start))}.`);
}

/** Decodes a string literal by JSON's rules (RFC 7644 §3.4.2.2: compValue is a JSON value, RFC 8259 §7). */
function decodeString(literal: string, pos: number, fail: ErrorFactory): string {
  // Without an escape or a control character, JSON.parse would return the characters between the quotes.
  if (!NEEDS_JSON_PARSE.test(literal.slice(1, -1))) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    throw fail(`Invalid string at offset ${pos} (bad escape or control character): ${excerpt(literal)}.`);
  }
}
