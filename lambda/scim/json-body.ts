import { invalidSyntax } from './errors';

/**
 * The shape every JSON request body must have before any operation of it runs: nested at
 * most MAX_JSON_DEPTH levels, and no object naming a member twice (exactly, or in another
 * case). Both are refused with 400 invalidSyntax, the RFC 7644 §3.12 type for a body whose
 * structure does not conform to the request schema: no SCIM schema nests that deep, and two
 * names for one attribute (attribute names are case-insensitive, RFC 7643 §2.1) leave its
 * value undefined (RFC 8259 §4: names SHOULD be unique; JSON.parse silently keeps the last).
 * Checking the whole text at once means a Bulk request is refused before its first operation.
 */

/**
 * Objects and arrays nested deeper than this are refused. The deepest body a client sends is
 * a Bulk PATCH of an extension's complex attribute: request, Operations, operation, data,
 * Operations, operation, value, extension, attribute: 9 levels.
 */
export const MAX_JSON_DEPTH = 32;

/** Parses a request body; throws invalidSyntax for text that is not JSON or breaks the rules above. */
export function parseJson(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidSyntax('The request body is not valid JSON.');
  }
  checkStructure(text);
  return parsed;
}

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const NAME_SHOWN = 100;

/** One open object or array while scanning; an object keeps the folded names it has seen. */
interface Frame {
  readonly object: boolean;
  /** In an object: the next string is a member name (after `{` or `,`), not a value. */
  expectName: boolean;
  names?: Map<string, string>;
}

/**
 * Scans text already known to be valid JSON, iteratively (a deep body cannot exhaust the
 * stack), and throws at the first level past MAX_JSON_DEPTH or the first repeated name.
 */
function checkStructure(text: string): void {
  const stack: Frame[] = [];
  for (let pos = 0; pos < text.length; pos++) {
    const code = text.charCodeAt(pos);
    if (code === QUOTE) {
      const end = closingQuote(text, pos);
      const top = stack[stack.length - 1];
      if (top?.object && top.expectName) checkName(top, text, pos, end);
      pos = end;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (stack.length === MAX_JSON_DEPTH) {
        throw invalidSyntax(`The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels; no SCIM request needs more than 9.`);
      }
      stack.push({ object: code === OPEN_OBJECT, expectName: code === OPEN_OBJECT });
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      stack.pop();
    } else if (code === COLON) {
      stack[stack.length - 1].expectName = false;
    } else if (code === COMMA) {
      const top = stack[stack.length - 1];
      if (top.object) top.expectName = true;
    }
  }
}

/** The offset of the quote closing the string that opens at `open`. */
function closingQuote(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
}

function checkName(frame: Frame, text: string, open: number, close: number): void {
  const raw = text.slice(open + 1, close);
  const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
  const folded = name.toLowerCase();
  frame.names ??= new Map();
  const earlier = frame.names.get(folded);
  if (earlier !== undefined) {
    const shown = (s: string) => JSON.stringify(s.length > NAME_SHOWN ? `${s.slice(0, NAME_SHOWN)}...` : s);
    const how = earlier === name ? `${shown(name)} twice` : `${shown(earlier)} and ${shown(name)}`;
    throw invalidSyntax(`An object in the request body names ${how}; attribute names are case-insensitive (RFC 7643 §2.1), so each may appear once.`);
  }
  frame.names.set(folded, name);
}
