import type { JsonObject } from '../schema/types';
import { read, write } from './path-target';
import { isObject } from './values';

/**
 * The document PATCH edits: a copy-on-write view of the stored resource. The top level is
 * copied once; an extension object is copied the first time an operation edits it. Every
 * other value is shared with the input and never written to: an edit builds a new value and
 * stores it in the draft. So the input is untouched whatever happens, and a failed
 * operation leaves nothing behind (RFC 7644 §3.5.2: PATCH is atomic), without the cost of
 * copying attributes no operation touches.
 */
export class Draft {
  /** The document being built; its top level belongs to the draft. */
  readonly doc: JsonObject;
  /** Extension objects this draft has copied and may therefore edit in place. */
  private owned: Set<JsonObject> | undefined;

  constructor(source: JsonObject) {
    // Spread defines own properties, so an own "__proto__" key (JSON.parse makes one) stays a key.
    this.doc = { ...source };
  }

  /**
   * The object that holds an attribute, ready to be edited: the document itself, or the
   * extension object keyed by its URN (RFC 7643 §3.3), copied on first use. Creates the
   * extension object when asked; undefined when it is absent and not to be created.
   */
  container(extension: string | undefined, create: boolean): JsonObject | undefined {
    if (!extension) return this.doc;
    const existing = read(this.doc, extension);
    if (isObject(existing) && this.owned?.has(existing)) return existing;
    if (!isObject(existing) && !create) return undefined;
    const own: JsonObject = isObject(existing) ? { ...existing } : {};
    (this.owned ??= new Set()).add(own);
    // Stored under the canonical spelling, other spellings dropped.
    write(this.doc, extension, own);
    return own;
  }
}
