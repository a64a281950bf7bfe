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

// RFC 7644 §3.4.2.2 separates tokens with SP; other ASCII white space is tolerated.
const SP = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD_CHAR = /[A-Za-z0-9_\-$:.]/;

/**
 * Quotes untrusted input for an error detail, control characters escaped: at most `limit`
 * characters (a longer text is cut, on a code point, and ends with "..."). Literals get the
 * default; attribute names get NAME_EXCERPT, so that the whole name shows what is wrong.
 */
export function excerpt(text: string, limit = 60): string {
  if (text.length <= limit) return JSON.stringify(text);
  let cut = limit - 3;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--; // never half of a surrogate pair
  return JSON.stringify(`${text.slice(0, cut)}...`);
}

/**
 * Attribute names (URN-qualified paths included) are shown whole up to this many characters:
 * the enterprise extension's `urn:...:enterprise:2.0:User:manager.displayName` is 76, and no
 * schema URN this server knows is longer than 60; a filter itself is at most 4,096.
 */
export const NAME_EXCERPT = 256;

/** Quotes an attribute name or path for an error detail: whole, unless it is longer than NAME_EXCERPT. */
export const excerptName = (name: string): string => excerpt(name, NAME_EXCERPT);

/** Splits filter text into tokens, ending with one `eof` token; throws `fail(...)` on a lexical error. */
export function tokenize(text: string, fail: ErrorFactory = invalidFilter): Token[] {
  const scanner = new Scanner(text, fail);
  const tokens: Token[] = [];
  for (;;) {
    scanner.advance();
    tokens.push(scanner.token());
    if (scanner.kind === 'eof') return tokens;
  }
}

/**
 * Reads the tokens of a filter one at a time, keeping only the current one in its fields:
 * the parser asks for the text of a token only when it needs it, so most tokens cost no
 * object and no substring. `advance()` throws `fail(...)` on a lexical error.
 */
export class Scanner {
  /** The current token's kind; 'eof' before the first `advance()` and at the end. */
  kind: Token['kind'] = 'eof';
  /** Offsets of the current token's first character and of the character after it. */
  start = 0;
  end = 0;
  /** The lower-cased operator of an `op` token. */
  op: CompareOp | 'pr' | undefined;
  /** The value of a `literal` token. */
  value: Literal | undefined;

  constructor(
    readonly text: string,
    private readonly fail: ErrorFactory,
  ) {}

  /** The current token's text as written. */
  tokenText(): string {
    return this.text.slice(this.start, this.end);
  }

  /** The current token as an object. */
  token(): Token {
    return { kind: this.kind, text: this.tokenText(), pos: this.start, op: this.op, value: this.value } as Token;
  }

  /** Moves to the next token; stays on `eof` at the end. */
  advance(): void {
    const { text } = this;
    let pos = this.end;
    let code = text.charCodeAt(pos);
    while (code === SP || code === TAB || code === LF || code === CR) code = text.charCodeAt(++pos);
    this.start = pos;
    this.op = undefined;
    this.value = undefined;
    if (pos >= text.length) {
      this.kind = 'eof';
      this.end = pos;
    } else if (code === 0x28 || code === 0x29 || code === 0x5b || code === 0x5d || code === 0x2e) {
      this.kind = text[pos] as '(' | ')' | '[' | ']' | '.';
      this.end = pos + 1;
    } else if (code === QUOTE) {
      this.kind = 'literal';
      this.value = this.string(pos);
    } else if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      const word = match(NUMBER, text, pos);
      const value = Number(word);
      if (!word || !Number.isFinite(value) || WORD_CHAR.test(text[pos + word.length] ?? '')) {
        throw this.fail(`Invalid number at offset ${pos}: ${excerpt(text.slice(pos, pos + 20))}.`);
      }
      this.kind = 'literal';
      this.value = value;
      this.end = pos + word.length;
    } else {
      const end = isWordStart(code) ? wordEnd(text, pos + 1) : pos;
      if (end === pos) throw this.fail(`Unexpected character ${excerpt(text[pos])} at offset ${pos}.`);
      this.end = end;
      this.classify();
    }
  }

  /**
   * Reads the string literal starting at `start`, decoded by JSON's rules (RFC 7644 §3.4.2.2:
   * compValue is a JSON value, RFC 8259 §7). One pass finds the closing quote and whether
   * JSON.parse is needed: without an escape or a control character it would return the
   * characters between the quotes.
   */
  private string(start: number): string {
    const { text } = this;
    let plain = true;
    for (let pos = start + 1; pos < text.length; pos++) {
      const code = text.charCodeAt(pos);
      if (code === QUOTE) {
        const value = plain ? text.slice(start + 1, pos) : decodeEscaped(text.slice(start, pos + 1), start, this.fail);
        // Only now: after a failure the scanner stays on this token, which scanToEnd reads again.
        this.end = pos + 1;
        return value;
      }
      if (code === BACKSLASH) {
        plain = false;
        pos += 1;
      } else if (code < 0x20) {
        plain = false;
      }
    }
    throw this.fail(`Unterminated string starting at offset ${start}: ${excerpt(text.slice(start))}.`);
  }

  /** Scans the rest of the input, so that a lexical error in it is thrown. */
  scanToEnd(): void {
    while (this.kind !== 'eof' || this.end < this.text.length) this.advance();
  }

  /**
   * Keywords are recognised case-insensitively (RFC 7644 §3.4.2.2); any other word is a path.
   * Compared by character code, folding ASCII case: in a word only letters fold onto letters.
   */
  private classify(): void {
    const { text, start, end } = this;
    this.kind = 'path';
    const candidates = KEYWORDS[end - start];
    if (!candidates) return;
    for (const keyword of candidates) {
      let i = 0;
      while (i < keyword.length && (text.charCodeAt(start + i) | 0x20) === keyword.charCodeAt(i)) i += 1;
      if (i < keyword.length) continue;
      if (keyword === 'and' || keyword === 'or' || keyword === 'not') {
        this.kind = keyword;
      } else if (keyword in LITERALS) {
        this.kind = 'literal';
        this.value = LITERALS[keyword];
      } else {
        this.kind = 'op';
        this.op = keyword as CompareOp | 'pr';
      }
      return;
    }
  }
}

/** The keywords of the grammar by length, lower-cased: operators, logical operators and literals. */
const KEYWORDS: readonly (readonly string[] | undefined)[] = [
  undefined,
  undefined,
  ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'or'],
  ['and', 'not'],
  ['true', 'null'],
  ['false'],
];
const LITERALS: Record<string, Literal> = { true: true, false: false, null: null };

// ATTRNAME = ALPHA *(nameChar) plus "$ref" (RFC 7643 §2.1), URIs add ":" and "." (RFC 7644 §3.10):
// a word is [A-Za-z$][A-Za-z0-9_\-$:.]*, scanned by character code (the lexer's hot loop).
function isWordStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x24;
}

const WORD_CHARS = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-$:.') WORD_CHARS[ch.charCodeAt(0)] = 1;

/** The offset just after the word whose second character is at `from`. */
function wordEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && WORD_CHARS[text.charCodeAt(end)] === 1) end += 1;
  return end;
}

function match(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  return re.exec(text)?.[0];
}

/** Decodes a string literal with escapes or control characters by JSON's rules. */
function decodeEscaped(literal: string, pos: number, fail: ErrorFactory): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    throw fail(`Invalid string at offset ${pos} (bad escape or control character): ${excerpt(literal)}.`);
  }
}
