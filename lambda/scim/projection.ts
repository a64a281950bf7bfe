import { invalidValue } from './errors';
import { commonAttributes } from './schema/common';
import { parseAttributePath, resolveAttribute, type ResolvedAttribute } from './schema/registry';
import type { AttributeDef, Json, JsonObject, ResourceTypeDef } from './schema/types';

/** The `attributes` / `excludedAttributes` parameters of RFC 7644 §3.4.2.5, parsed. */
export interface Projection {
  readonly attributes?: readonly ResolvedAttribute[];
  readonly excluded?: readonly ResolvedAttribute[];
}

const MAX_LIST = 100;

/**
 * Parses the two comma-separated parameters. Names the schema does not know are ignored, as a
 * client asking for an attribute the server lacks should get the rest (RFC 7644 §3.4.2.5).
 */
export function parseProjection(rt: ResourceTypeDef, attributes?: string, excluded?: string): Projection {
  return { attributes: parseList(rt, attributes), excluded: parseList(rt, excluded) };
}

function parseList(rt: ResourceTypeDef, text: string | undefined): ResolvedAttribute[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length > MAX_LIST) throw invalidValue(`At most ${MAX_LIST} attribute names may be listed.`);
  const out: ResolvedAttribute[] = [];
  for (const name of names) {
    const path = parseAttributePath(rt, name);
    if (path.name === '' && path.uri) {
      const ext = rt.extensions.find((e) => e.schema.id === path.uri);
      if (ext) for (const attribute of ext.schema.attributes) out.push({ extension: ext.schema.id, attribute });
      continue;
    }
    try {
      out.push(resolveAttribute(rt, path));
    } catch {
      // Unknown names are skipped (see above).
    }
  }
  return out;
}

/** Applies a projection and the `returned` characteristics (RFC 7643 §7) to a resource. */
export function project(rt: ResourceTypeDef, resource: JsonObject, projection: Projection): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'schemas') {
      out.schemas = value;
      continue;
    }
    const ext = rt.extensions.find((e) => e.schema.id === key);
    if (ext) {
      const kept = projectObject(ext.schema.attributes, value as JsonObject, projection, ext.schema.id);
      if (Object.keys(kept).length > 0) out[key] = kept;
      continue;
    }
    const def = topLevelAttributes(rt).get(key);
    if (!def) continue;
    const kept = projectAttribute(def, value, projection, undefined);
    if (kept !== undefined) out[key] = kept;
  }
  // `schemas` names the extensions the projected resource still carries.
  if (Array.isArray(out.schemas)) out.schemas = out.schemas.filter((urn) => urn === rt.schema.id || out[urn as string] !== undefined);
  return out;
}

const TOP_LEVEL = new WeakMap<ResourceTypeDef, ReadonlyMap<string, AttributeDef>>();

/** A resource type's top-level attributes by name, the common ones first (made once per type: `project` runs for every resource of every page). */
function topLevelAttributes(rt: ResourceTypeDef): ReadonlyMap<string, AttributeDef> {
  let byName = TOP_LEVEL.get(rt);
  if (!byName) {
    const map = new Map<string, AttributeDef>();
    for (const def of [...commonAttributes, ...rt.schema.attributes]) if (!map.has(def.name)) map.set(def.name, def);
    TOP_LEVEL.set(rt, (byName = map));
  }
  return byName;
}

function projectObject(defs: readonly AttributeDef[], value: JsonObject, projection: Projection, extension?: string): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const def = defs.find((a) => a.name === key);
    if (!def) continue;
    const kept = projectAttribute(def, v, projection, extension);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

function projectAttribute(def: AttributeDef, value: Json, projection: Projection, extension?: string): Json | undefined {
  if (def.returned === 'never') return undefined;
  if (def.returned === 'always') return value;
  const same = (r: ResolvedAttribute) => r.attribute === def && r.extension === extension;
  const { attributes, excluded } = projection;
  if (attributes) {
    const wanted = attributes.filter(same);
    if (wanted.length === 0) return undefined;
    if (wanted.some((r) => !r.sub)) return value;
    return pickSubAttributes(value, wanted.map((r) => r.sub!.name));
  }
  if (def.returned === 'request') return undefined;
  if (excluded) {
    const hits = excluded.filter(same);
    if (hits.some((r) => !r.sub)) return undefined;
    if (hits.length > 0) return dropSubAttributes(value, hits.map((r) => r.sub!.name));
  }
  return value;
}

function pickSubAttributes(value: Json, names: string[]): Json | undefined {
  const pick = (v: Json): Json => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).filter(([k]) => names.includes(k)));
  };
  // A value left with none of the asked-for sub-attributes is no value (RFC 7643 §2.5).
  const isEmpty = (v: Json) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
  if (!Array.isArray(value)) {
    const picked = pick(value);
    return isEmpty(picked) ? undefined : picked;
  }
  const picked = value.map(pick).filter((v) => !isEmpty(v));
  return picked.length === 0 ? undefined : picked;
}

function dropSubAttributes(value: Json, names: string[]): Json | undefined {
  const drop = (v: Json): Json => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).filter(([k]) => !names.includes(k)));
  };
  return Array.isArray(value) ? value.map(drop) : drop(value);
}

/** Whether a projection returns an attribute at all, so a service knows to compute it. */
export function returns(def: AttributeDef, projection: Projection): boolean {
  if (def.returned === 'never') return false;
  if (def.returned === 'always') return true;
  if (projection.attributes) return projection.attributes.some((r) => r.attribute === def);
  if (def.returned === 'request') return false;
  return !projection.excluded?.some((r) => r.attribute === def && !r.sub);
}
