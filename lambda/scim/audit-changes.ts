import type { AuditChange } from '../store/types';
import { digestOf } from '../store/value-digest';
import { commonAttributes } from './schema/common';
import type { AttributeDef, Json, JsonObject, ResourceTypeDef } from './schema/types';
import { isObject, jsonEqual } from './values';

/**
 * What a change did to a resource's attributes, as its audit entry records it: each attribute
 * path whose value differs (RFC 7644 §3.10 notation), with the value before and after.
 *
 * - A complex single-valued attribute is compared sub-attribute by sub-attribute
 *   (`name.givenName`), a multi-valued one as a whole (`emails`): its values have no identity
 *   to pair them by. Extension attributes are qualified by their schema URN
 *   (`urn:…:enterprise:2.0:User:manager.value`).
 * - A value whose JSON is above MAX_RECORDED_VALUE_BYTES is recorded by its length and SHA-256
 *   (`beforeDigest`, `afterDigest`): an entry stays small however large the resource is, and
 *   an equal digest still shows that a value came back unchanged.
 * - Attributes `returned: never` (RFC 7643 §7: `password`) are never recorded, not even as a
 *   digest (a hash of a password is a password to guess); nor is anything readOnly, which no
 *   client writes.
 */

/** Values above this (bytes of their UTF-8 JSON) are recorded by length and SHA-256. */
export const MAX_RECORDED_VALUE_BYTES = 1024;

/** The attribute paths whose values differ between `before` and `after` (either absent: a create or a delete). */
export function documentChanges(rt: ResourceTypeDef, before: JsonObject | undefined, after: JsonObject | undefined): AuditChange[] {
  const changes: AuditChange[] = [];
  compare([...commonAttributes, ...rt.schema.attributes], before ?? {}, after ?? {}, '', changes);
  for (const { schema } of rt.extensions) {
    compare(schema.attributes, objectAt(before, schema.id), objectAt(after, schema.id), `${schema.id}:`, changes);
  }
  return changes;
}

/** Whether changes of the attribute are recorded at all. */
const recorded = (def: AttributeDef) => def.returned !== 'never' && def.mutability !== 'readOnly';

function compare(defs: readonly AttributeDef[], before: JsonObject, after: JsonObject, prefix: string, out: AuditChange[]): void {
  for (const def of defs) {
    if (!recorded(def)) continue;
    const [b, a] = [before[def.name], after[def.name]];
    const bothObjects = (b === undefined || isObject(b)) && (a === undefined || isObject(a));
    if (def.type === 'complex' && !def.multiValued && def.subAttributes && bothObjects) {
      for (const sub of def.subAttributes) {
        if (recorded(sub)) record(`${prefix}${def.name}.${sub.name}`, (b as JsonObject | undefined)?.[sub.name], (a as JsonObject | undefined)?.[sub.name], out);
      }
    } else {
      record(`${prefix}${def.name}`, b, a, out);
    }
  }
}

function record(path: string, before: Json | undefined, after: Json | undefined, out: AuditChange[]): void {
  if (jsonEqual(before, after)) return;
  out.push({ path, ...side('before', before), ...side('after', after) });
}

function side(name: 'before' | 'after', value: Json | undefined): Partial<AuditChange> {
  if (value === undefined) return {};
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  return bytes <= MAX_RECORDED_VALUE_BYTES ? { [name]: value } : { [`${name}Digest`]: digestOf(value) };
}

function objectAt(document: JsonObject | undefined, key: string): JsonObject {
  const value = document?.[key];
  return isObject(value) ? value : {};
}
