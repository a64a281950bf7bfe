import { invalidFilter, invalidPath, ScimError } from '../errors';
import { attr } from '../schema/attribute';
import { findAttribute, parseAttributePath, resolveAttribute, type AttributePath } from '../schema/registry';
import type { AttributeDef, ResourceTypeDef } from '../schema/types';
import type { CompareOp, Filter, Literal, PatchPath } from './ast';
import { excerpt, tokenize, type ErrorFactory, type Token } from './lexer';

/**
 * The recursive-descent parser of RFC 7644 §3.4.2.2 (figure 1) and of PATCH paths (§3.5.2).
 * Paths in the AST are canonical: spelled as the schema spells them, `uri` set only for
 * extension attributes, and a comparison on a multi-valued complex attribute rewritten to
 * its `value` sub-attribute (`emails co "x"` → `emails.value co "x"`).
 */

/** Hostile-input limits; each violation is a 400 like any syntax error. */
export const FILTER_LIMITS = { maxLength: 4096, maxDepth: 50, maxComparisons: 200 } as const;

/**
 * `schemas` is no schema attribute, yet RFC 7644 §3.4.2.2 filters on it
 * (`schemas eq "urn:...:enterprise:2.0:User"`); URIs compare case-insensitively here.
 */
const SCHEMAS_ATTRIBUTE: AttributeDef = attr('schemas', 'reference', { multiValued: true, referenceTypes: ['uri'] });

/** What a canonical filter path points at: the attribute, its sub-attribute, and its extension URN. */
export interface FilterAttribute {
  readonly extension?: string;
  readonly attribute: AttributeDef;
  readonly sub?: AttributeDef;
}

/** Resolves a resource-level filter path, `schemas` included; throws invalidPath when unknown. */
export function resolveFilterAttribute(rt: ResourceTypeDef, path: AttributePath): FilterAttribute {
  if (!path.uri && path.sub === undefined && path.name.toLowerCase() === 'schemas') return { attribute: SCHEMAS_ATTRIBUTE };
  return resolveAttribute(rt, path);
}

/** Parses a `filter` query parameter (RFC 7644 §3.4.2.2); every failure is a 400 invalidFilter. */
export function parseFilter(rt: ResourceTypeDef, text: string): Filter {
  const parser = new Parser(rt, text, invalidFilter, 'filter');
  const filter = parser.parseOr(undefined);
  parser.expect('eof', 'the end of the filter');
  return filter;
}

/**
 * Parses a PATCH path (RFC 7644 §3.5.2): `attrPath`, `attrPath[valFilter]` or
 * `attrPath[valFilter].subAttr`, optionally URN-qualified; every failure is a 400 invalidPath.
 */
export function parsePatchPath(rt: ResourceTypeDef, text: string): PatchPath {
  const parser = new Parser(rt, text, invalidPath, 'PATCH path');
  const { path, resolved } = parser.resourcePath();
  if (!parser.accept('[')) {
    parser.expect('eof', 'the end of the path');
    return { attribute: path };
  }
  const filter = parser.valueFilter(path, resolved);
  let subAfterFilter: string | undefined;
  if (parser.accept('.')) subAfterFilter = parser.subAttribute(resolved.attribute).def.name;
  parser.expect('eof', 'the end of the path');
  return subAfterFilter === undefined ? { attribute: path, filter } : { attribute: path, filter, subAfterFilter };
}

const ORDERING: ReadonlySet<CompareOp> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING: ReadonlySet<CompareOp> = new Set(['co', 'sw', 'ew']);
// RFC 3339 full-date, optionally followed by a time; Date.parse then decides the rest.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ].*)?$/;

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;
  private comparisons = 0;

  constructor(
    private readonly rt: ResourceTypeDef,
    text: string,
    private readonly fail: ErrorFactory,
    /** What is parsed, for messages; only filters accept the `schemas` pseudo-attribute. */
    private readonly what: 'filter' | 'PATCH path',
  ) {
    if (text.length > FILTER_LIMITS.maxLength) {
      throw fail(`The ${this.what} is longer than ${FILTER_LIMITS.maxLength} characters.`);
    }
    if (text.trim() === '') throw fail(`The ${this.what} is empty.`);
    this.tokens = tokenize(text, fail);
  }

  /** `FILTER = FILTER "or" FILTER / ...`: "or" binds loosest (RFC 7644 §3.4.2.2, table 4). */
  parseOr(scope: AttributeDef | undefined): Filter {
    let left = this.parseAnd(scope);
    while (this.accept('or')) left = { kind: 'or', left, right: this.parseAnd(scope) };
    return left;
  }

  private parseAnd(scope: AttributeDef | undefined): Filter {
    let left = this.parseUnary(scope);
    while (this.accept('and')) left = { kind: 'and', left, right: this.parseUnary(scope) };
    return left;
  }

  /** `*1"not" "(" FILTER ")"`, grouping, or an attribute expression / value path. */
  private parseUnary(scope: AttributeDef | undefined): Filter {
    if (this.accept('not')) {
      this.expect('(', '"(" after "not"');
      return { kind: 'not', filter: this.group(scope) };
    }
    if (this.accept('(')) return this.group(scope);
    if (!scope) return this.resourceExp();
    const { path, def } = this.subAttribute(scope);
    return this.attrExp(path, def);
  }

  private group(scope: AttributeDef | undefined): Filter {
    this.enter();
    const filter = this.parseOr(scope);
    this.expect(')', '")"');
    this.depth -= 1;
    return filter;
  }

  /** An expression at resource level: `attrExp`, or `valuePath` with the Entra-ID `].sub op value` suffix. */
  private resourceExp(): Filter {
    const { path, resolved } = this.resourcePath();
    if (!this.accept('[')) return this.attrExp(path, resolved.sub ?? resolved.attribute);
    let filter = this.valueFilter(path, resolved);
    // `emails[type eq "work"].value eq "x"` (sent by Microsoft Entra ID) is read as
    // `emails[type eq "work" and value eq "x"]`: the same element must satisfy both.
    if (this.accept('.')) {
      const sub = this.subAttribute(resolved.attribute);
      filter = { kind: 'and', left: filter, right: this.attrExp(sub.path, sub.def) };
    }
    return { kind: 'valuePath', path, filter };
  }

  /** `attrPath "[" valFilter "]"`, the "[" already consumed; inner paths are sub-attributes. */
  valueFilter(path: AttributePath, resolved: FilterAttribute): Filter {
    const at = this.previous();
    if (path.sub !== undefined || resolved.attribute.type !== 'complex') {
      throw this.fail(`A value filter needs a complex attribute, not ${excerpt(this.source(path))} (offset ${at.pos}).`);
    }
    this.enter();
    const filter = this.parseOr(resolved.attribute);
    this.expect(']', '"]"');
    this.depth -= 1;
    return filter;
  }

  /** `attrPath SP "pr"` or `attrPath SP compareOp SP compValue`, with the checks of §3.4.2.2. */
  private attrExp(path: AttributePath, leaf: AttributeDef): Filter {
    const at = this.previous();
    this.comparisons += 1;
    if (this.comparisons > FILTER_LIMITS.maxComparisons) {
      throw this.fail(`The ${this.what} has more than ${FILTER_LIMITS.maxComparisons} comparisons.`);
    }
    const token = this.next();
    if (token.kind !== 'op') throw this.unexpected(token, `an operator after ${excerpt(at.text)}`);
    if (token.op === 'pr') return { kind: 'present', path };
    const op = token.op;
    const valueToken = this.next();
    if (valueToken.kind !== 'literal') throw this.unexpected(valueToken, `a value after "${op}"`);
    const value = valueToken.value;
    let target = path;
    let type = leaf;
    // Sub-attributes are never complex (RFC 7643 §2.3.8), so only a resource-level path gets here.
    if (leaf.type === 'complex') {
      // §3.4.2.2 example `emails co "example.com"`: a multi-valued complex attribute compares by its value.
      const valueSub = leaf.multiValued ? findAttribute(leaf.subAttributes ?? [], 'value') : undefined;
      if (!valueSub) {
        throw this.fail(`The complex attribute ${excerpt(this.source(path))} can only be tested with "pr"; name a sub-attribute.`);
      }
      target = { ...path, sub: valueSub.name };
      type = valueSub;
    }
    this.checkOperands(op, type, value, valueToken);
    return { kind: 'compare', path: target, op, value };
  }

  /** Type rules of RFC 7644 §3.4.2.2 that can be checked before any resource is seen. */
  private checkOperands(op: CompareOp, leaf: AttributeDef, value: Literal, token: Token): void {
    if (ORDERING.has(op) && (leaf.type === 'boolean' || leaf.type === 'binary')) {
      throw this.fail(`"${op}" cannot compare the ${leaf.type} attribute "${leaf.name}" (offset ${token.pos}).`);
    }
    if (ORDERING.has(op) && (value === null || typeof value === 'boolean')) {
      throw this.fail(`"${op}" needs a string or number value, not ${token.text} (offset ${token.pos}).`);
    }
    if (SUBSTRING.has(op) && typeof value !== 'string') {
      throw this.fail(`"${op}" needs a string value, not ${excerpt(token.text)} (offset ${token.pos}).`);
    }
    const dateOp = op === 'eq' || op === 'ne' || ORDERING.has(op);
    const isDate = (v: string) => DATE_TIME.test(v) && Number.isFinite(Date.parse(v));
    if (leaf.type === 'dateTime' && dateOp && typeof value === 'string' && !isDate(value)) {
      throw this.fail(`${excerpt(value)} is not a dateTime for "${leaf.name}" (offset ${token.pos}).`);
    }
  }

  /** Reads a resource-level attribute path and resolves it against the resource type. */
  resourcePath(): { path: AttributePath; resolved: FilterAttribute } {
    const token = this.next();
    if (token.kind !== 'path') throw this.unexpected(token, 'an attribute path');
    const raw = parseAttributePath(this.rt, token.text);
    const unknown = () =>
      this.fail(`Unknown attribute ${excerpt(token.text)} for the ${this.rt.name} resource (offset ${token.pos}).`);
    if (raw.name === '') throw unknown();
    let resolved: FilterAttribute;
    try {
      resolved = this.what === 'filter' ? resolveFilterAttribute(this.rt, raw) : resolveAttribute(this.rt, raw);
    } catch (error) {
      // resolveAttribute's own message quotes the whole path; ours is bounded and typed for this context.
      if (error instanceof ScimError) throw unknown();
      throw error;
    }
    const path: AttributePath = {
      ...(resolved.extension ? { uri: resolved.extension } : {}),
      name: resolved.attribute.name,
      ...(resolved.sub ? { sub: resolved.sub.name } : {}),
    };
    return { path, resolved };
  }

  /** Reads a plain sub-attribute name of `parent` (inside brackets, or after `].`). */
  subAttribute(parent: AttributeDef): { path: AttributePath; def: AttributeDef } {
    const token = this.next();
    if (token.kind !== 'path') throw this.unexpected(token, `a sub-attribute of "${parent.name}"`);
    const plain = !token.text.includes('.') && !token.text.includes(':');
    const def = plain ? findAttribute(parent.subAttributes ?? [], token.text) : undefined;
    if (!def) {
      throw this.fail(`Unknown sub-attribute ${excerpt(token.text)} of "${parent.name}" (offset ${token.pos}).`);
    }
    return { path: { name: def.name }, def };
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > FILTER_LIMITS.maxDepth) throw this.fail(`The ${this.what} nests deeper than ${FILTER_LIMITS.maxDepth} levels.`);
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'eof') this.index += 1;
    return token;
  }

  private previous(): Token {
    return this.tokens[Math.max(0, this.index - 1)];
  }

  accept(kind: Token['kind']): boolean {
    if (this.tokens[this.index].kind !== kind) return false;
    this.index += 1;
    return true;
  }

  expect(kind: Token['kind'], wanted: string): void {
    const token = this.tokens[this.index];
    if (!this.accept(kind)) throw this.unexpected(token, wanted);
  }

  private unexpected(token: Token, wanted: string): ScimError {
    const found = token.kind === 'eof' ? 'the end of the input' : `${excerpt(token.text)} at offset ${token.pos}`;
    return this.fail(`Expected ${wanted}, found ${found}.`);
  }

  private source(path: AttributePath): string {
    return path.sub ? `${path.name}.${path.sub}` : path.name;
  }
}
