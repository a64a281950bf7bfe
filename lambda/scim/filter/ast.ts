import type { AttributePath } from '../schema/registry';

/**
 * The abstract syntax of a SCIM filter (RFC 7644 §3.4.2.2, figure 1).
 * `parseFilter` in parser.ts builds it; `evaluate` and `plan` read it.
 */

/** The comparison operators of RFC 7644 §3.4.2.2, lower-cased. */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A literal of the filter grammar: JSON's string, number, true, false or null. */
export type Literal = string | number | boolean | null;

export type Filter =
  /** `attrPath op value` */
  | { readonly kind: 'compare'; readonly path: AttributePath; readonly op: CompareOp; readonly value: Literal }
  /** `attrPath pr` */
  | { readonly kind: 'present'; readonly path: AttributePath }
  | { readonly kind: 'and'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly filter: Filter }
  /**
   * `attrPath "[" valFilter "]"`: the inner filter's paths are relative to each value of the
   * multi-valued attribute (their `name` is the sub-attribute).
   */
  | { readonly kind: 'valuePath'; readonly path: AttributePath; readonly filter: Filter };

/**
 * A PATCH path (RFC 7644 §3.5.2): `attrPath` or `valuePath ["." subAttr]`, e.g.
 * `emails[type eq "work"].value` → { attribute: emails, filter: type eq "work", sub: "value" }.
 */
export interface PatchPath {
  /** The attribute; for `a.b` without a filter, `sub` of this path is `b`. */
  readonly attribute: AttributePath;
  /** The value filter inside the brackets, if any. */
  readonly filter?: Filter;
  /** The sub-attribute after the closing bracket, if any. */
  readonly subAfterFilter?: string;
}
