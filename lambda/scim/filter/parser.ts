import { invalidFilter, invalidPath, ScimError } from '../errors';
import { attr } from '../schema/attribute';
import { findAttribute, parseAttributePath, resolveAttribute, type AttributePath } from '../schema/registry';
import type { AttributeDef, ResourceTypeDef } from '../schema/types';
import type { CompareOp, Filter, Literal, PatchPath } from './ast';
import { excerpt, excerptName, Scanner, type ErrorFactory, type Token } from './lexer';
import { TokenCache } from './token-cache';

/**
 * The recursive-descent parser of RFC 7644 §3.4.2.2 (figure 1) and of PATCH paths (§3.5.2).
 * Paths in the AST are canonical: spelled as the schema spells them, `uri` set only for
 * extension attributes, and a comparison on a complex attribute that has a `value`
 * sub-attribute rewritten to it (`emails co "x"` → `emails.value co "x"`, `manager eq "m"` →
 * `manager.value eq "m"`).
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
  return parser.whole(() => {
    const filter = parser.parseOr(undefined);
    parser.expect('eof', 'the end of the filter');
    return filter;
  });
}

/**
 * Parses a PATCH path (RFC 7644 §3.5.2): `attrPath`, `attrPath[valFilter]` or
 * `attrPath[valFilter].subAttr`, optionally URN-qualified; every failure is a 400 invalidPath.
 */
export function parsePatchPath(rt: ResourceTypeDef, text: string): PatchPath {
  const parser = new Parser(rt, text, invalidPath, 'PATCH path');
  return parser.whole((): PatchPath => {
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
  });
}

const isOrdering = (op: CompareOp) => op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
const isSubstring = (op: CompareOp) => op === 'co' || op === 'sw' || op === 'ew';
// RFC 3339 full-date, optionally followed by a time; Date.parse then decides the rest.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ].*)?$/;
const isDate = (v: string) => DATE_TIME.test(v) && Number.isFinite(Date.parse(v));

/** A resource-level path as the AST holds it, with what it resolved to. */
interface ResourcePath {
  readonly path: AttributePath;
  readonly resolved: FilterAttribute;
}

/** A sub-attribute path as the AST holds it, with its definition. */
interface SubPath {
  readonly path: AttributePath;
  readonly def: AttributeDef;
}

// Attribute paths resolved per resource type (filters and PATCH paths apart: only filters know
// `schemas`) and sub-attribute names per parent attribute, keyed by the text as written. Filters
// name the same few attributes over and over; the AST shares these frozen path objects.
const PATH_CACHE_SIZE = 1024;
const filterPaths = new WeakMap<ResourceTypeDef, TokenCache<ResourcePath>>();
const patchPaths = new WeakMap<ResourceTypeDef, TokenCache<ResourcePath>>();
const subPaths = new WeakMap<AttributeDef, TokenCache<SubPath>>();

function cacheOf<K extends object, V>(caches: WeakMap<K, TokenCache<V>>, key: K): TokenCache<V> {
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = new TokenCache(PATH_CACHE_SIZE)));
  return cache;
}

/** True when `text` is empty or white space only (what String#trim removes). */
function isBlank(text: string): boolean {
  const first = text.charCodeAt(0);
  // A printable ASCII character first: not blank, without trimming a copy.
  if (first > 0x20 && first < 0x7f) return false;
  return text.trim() === '';
}

class Parser {
  private readonly scan: Scanner;
  /** Offsets of the token consumed last, for messages. */
  private previousStart = 0;
  private previousEnd = 0;
  private depth = 0;
  private comparisons = 0;
  /** The resolved resource-level paths of this resource type, fetched on first use. */
  private paths: TokenCache<ResourcePath> | undefined;

  constructor(
    private readonly rt: ResourceTypeDef,
    private readonly text: string,
    private readonly fail: ErrorFactory,
    /** What is parsed, for messages; only filters accept the `schemas` pseudo-attribute. */
    private readonly what: 'filter' | 'PATCH path',
  ) {
    if (text.length > FILTER_LIMITS.maxLength) {
      throw fail(`The ${this.what} is longer than ${FILTER_LIMITS.maxLength} characters.`);
    }
    if (isBlank(text)) throw fail(`The ${this.what} is empty.`);
    this.scan = new Scanner(text, fail);
    this.scan.advance();
  }

  /**
   * Runs a parse over the whole input. Tokens are read as the parser needs them, but a
   * lexical error anywhere in the input is reported before any other error, as when the
   * input is tokenized first: when the parse fails, the rest is scanned and its first
   * lexical error, if any, is thrown instead.
   */
  whole<T>(parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      this.scan.scanToEnd();
      throw error;
    }
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
    if (path.sub !== undefined || resolved.attribute.type !== 'complex') {
      throw this.fail(`A value filter needs a complex attribute, not ${excerptName(this.source(path))} (offset ${this.previousStart}).`);
    }
    this.enter();
    const filter = this.parseOr(resolved.attribute);
    this.expect(']', '"]"');
    this.depth -= 1;
    return filter;
  }

  /** `attrPath SP "pr"` or `attrPath SP compareOp SP compValue`, with the checks of §3.4.2.2. */
  private attrExp(path: AttributePath, leaf: AttributeDef): Filter {
    const scan = this.scan;
    this.comparisons += 1;
    if (this.comparisons > FILTER_LIMITS.maxComparisons) {
      throw this.fail(`The ${this.what} has more than ${FILTER_LIMITS.maxComparisons} comparisons.`);
    }
    if (!this.at('op')) {
      throw this.unexpected(`an operator after ${excerptName(this.text.slice(this.previousStart, this.previousEnd))}`);
    }
    const op = scan.op as CompareOp | 'pr';
    this.advance();
    if (op === 'pr') return { kind: 'present', path };
    if (!this.at('literal')) throw this.unexpected(`a value after "${op}"`);
    const value = scan.value as Literal;
    const at = scan.start;
    const atEnd = scan.end;
    this.advance();
    let target = path;
    let type = leaf;
    // Sub-attributes are never complex (RFC 7643 §2.3.8), so only a resource-level path gets here.
    if (leaf.type === 'complex') {
      // §3.4.2.2 example `emails co "example.com"`: a multi-valued complex attribute compares by its value.
      // So does the enterprise `manager`, a reference by value: IAM Identity Center's ListUsers
      // example filters `id eq "…" and manager eq "…"` (CLIENTS.md §1.2).
      const valueSub = findAttribute(leaf.subAttributes ?? [], 'value');
      if (!valueSub) {
        throw this.fail(`The complex attribute ${excerptName(this.source(path))} can only be tested with "pr"; name a sub-attribute.`);
      }
      target = { ...path, sub: valueSub.name };
      type = valueSub;
    }
    this.checkOperands(op, type, value, at, atEnd);
    return { kind: 'compare', path: target, op, value };
  }

  /** Type rules of RFC 7644 §3.4.2.2 that can be checked before any resource is seen; the value is at `at..end`. */
  private checkOperands(op: CompareOp, leaf: AttributeDef, value: Literal, at: number, end: number): void {
    const ordering = isOrdering(op);
    if (ordering && (leaf.type === 'boolean' || leaf.type === 'binary')) {
      throw this.fail(`"${op}" cannot compare the ${leaf.type} attribute "${leaf.name}" (offset ${at}).`);
    }
    if (ordering && (value === null || typeof value === 'boolean')) {
      throw this.fail(`"${op}" needs a string or number value, not ${this.text.slice(at, end)} (offset ${at}).`);
    }
    if (isSubstring(op) && typeof value !== 'string') {
      throw this.fail(`"${op}" needs a string value, not ${excerpt(this.text.slice(at, end))} (offset ${at}).`);
    }
    const dateOp = op === 'eq' || op === 'ne' || ordering;
    if (leaf.type === 'dateTime' && dateOp && typeof value === 'string' && !isDate(value)) {
      throw this.fail(`${excerpt(value)} is not a dateTime for "${leaf.name}" (offset ${at}).`);
    }
  }

  /** Reads a resource-level attribute path and resolves it against the resource type. */
  resourcePath(): ResourcePath {
    if (!this.at('path')) throw this.unexpected('an attribute path');
    const { start, end } = this.scan;
    this.advance();
    const cache = (this.paths ??= cacheOf(this.what === 'filter' ? filterPaths : patchPaths, this.rt));
    const known = cache.find(this.text, start, end);
    if (known) return known;
    const written = this.text.slice(start, end);
    return cache.set(written, this.resolvePath(written, start));
  }

  private resolvePath(written: string, at: number): ResourcePath {
    const raw = parseAttributePath(this.rt, written);
    const unknown = () => this.fail(`Unknown attribute ${excerptName(written)} for the ${this.rt.name} resource (offset ${at}).`);
    if (raw.name === '') throw unknown();
    let resolved: FilterAttribute;
    try {
      resolved = this.what === 'filter' ? resolveFilterAttribute(this.rt, raw) : resolveAttribute(this.rt, raw);
    } catch (error) {
      // resolveAttribute's own message quotes the whole path; ours is bounded and typed for this context.
      if (error instanceof ScimError) throw unknown();
      throw error;
    }
    const path: AttributePath = Object.freeze({
      ...(resolved.extension ? { uri: resolved.extension } : {}),
      name: resolved.attribute.name,
      ...(resolved.sub ? { sub: resolved.sub.name } : {}),
    });
    return Object.freeze({ path, resolved: Object.freeze({ ...resolved }) });
  }

  /** Reads a plain sub-attribute name of `parent` (inside brackets, or after `].`). */
  subAttribute(parent: AttributeDef): SubPath {
    if (!this.at('path')) throw this.unexpected(`a sub-attribute of "${parent.name}"`);
    const { start: at, end } = this.scan;
    this.advance();
    const cache = cacheOf(subPaths, parent);
    const known = cache.find(this.text, at, end);
    if (known) return known;
    const written = this.text.slice(at, end);
    const plain = !written.includes('.') && !written.includes(':');
    const def = plain ? findAttribute(parent.subAttributes ?? [], written) : undefined;
    if (!def) throw this.fail(`Unknown sub-attribute ${excerptName(written)} of "${parent.name}" (offset ${at}).`);
    return cache.set(written, Object.freeze({ path: Object.freeze({ name: def.name }), def }));
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > FILTER_LIMITS.maxDepth) throw this.fail(`The ${this.what} nests deeper than ${FILTER_LIMITS.maxDepth} levels.`);
  }

  /** Consumes the current token. */
  private advance(): void {
    this.previousStart = this.scan.start;
    this.previousEnd = this.scan.end;
    this.scan.advance();
  }

  /** Whether the current token is of this kind (a call, so that TypeScript does not narrow across advances). */
  private at(kind: Token['kind']): boolean {
    return this.scan.kind === kind;
  }

  accept(kind: Token['kind']): boolean {
    if (this.scan.kind !== kind) return false;
    this.advance();
    return true;
  }

  expect(kind: Token['kind'], wanted: string): void {
    if (!this.accept(kind)) throw this.unexpected(wanted);
  }

  /** The error for a current token that is not what the grammar wants here. */
  private unexpected(wanted: string): ScimError {
    const { scan } = this;
    const shown = scan.kind === 'path' ? excerptName(scan.tokenText()) : excerpt(scan.tokenText());
    const found = scan.kind === 'eof' ? 'the end of the input' : `${shown} at offset ${scan.start}`;
    return this.fail(`Expected ${wanted}, found ${found}.`);
  }

  private source(path: AttributePath): string {
    return path.sub ? `${path.name}.${path.sub}` : path.name;
  }
}
