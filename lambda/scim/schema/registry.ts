import { invalidPath } from '../errors';
import { commonAttributes } from './common';
import { groupSchema } from './group';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './types';
import { enterpriseUserSchema, userSchema } from './user';

/** The User resource type (RFC 7643 §4.1) with the enterprise extension. */
export const userResourceType: ResourceTypeDef = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: userSchema,
  extensions: [{ schema: enterpriseUserSchema, required: false }],
};

/** The Group resource type (RFC 7643 §4.2). */
export const groupResourceType: ResourceTypeDef = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: groupSchema,
  extensions: [],
};

export const resourceTypes: readonly ResourceTypeDef[] = [userResourceType, groupResourceType];
export const schemas: readonly SchemaDef[] = [userSchema, enterpriseUserSchema, groupSchema];

/** An attribute path as RFC 7644 §3.10 writes it: `[URI ":"] attrName ["." subAttr]`. */
export interface AttributePath {
  /** The schema URN when the path was qualified with one. */
  readonly uri?: string;
  readonly name: string;
  readonly sub?: string;
}

/** What an attribute path points at in a resource type. */
export interface ResolvedAttribute {
  /** The extension URN under which the attribute lives in the JSON, or undefined for core/common. */
  readonly extension?: string;
  readonly attribute: AttributeDef;
  readonly sub?: AttributeDef;
}

const lower = (s: string) => s.toLowerCase();

// Each attribute list's names, lower-cased once: every filter and PATCH path resolves through here.
const byLowerName = new WeakMap<readonly AttributeDef[], Map<string, AttributeDef>>();

/** Finds an attribute by name, case-insensitively (RFC 7643 §2.1). */
export function findAttribute(list: readonly AttributeDef[], name: string): AttributeDef | undefined {
  let index = byLowerName.get(list);
  if (!index) {
    index = new Map();
    // The first of two names that differ only in case wins, as a linear search would find it.
    for (const a of list) if (!index.has(lower(a.name))) index.set(lower(a.name), a);
    byLowerName.set(list, index);
  }
  return index.get(lower(name));
}

/** Every schema URN a resource of this type may carry. */
export function schemaUrns(rt: ResourceTypeDef): string[] {
  return [rt.schema.id, ...rt.extensions.map((e) => e.schema.id)];
}

/** The extension of `rt` whose URN is `uri`, compared case-insensitively. */
export function findExtension(rt: ResourceTypeDef, uri: string): SchemaDef | undefined {
  const wanted = lower(uri);
  return rt.extensions.find((e) => lower(e.schema.id) === wanted)?.schema;
}

/**
 * Splits a URN-qualified attribute reference such as
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` into the schema URN
 * and the rest, for the schemas `rt` knows. Returns undefined for an unqualified name.
 */
export function splitUrn(rt: ResourceTypeDef, text: string): { uri: string; rest: string } | undefined {
  const lowered = lower(text);
  for (const uri of schemaUrns(rt)) {
    // A schema URN alone names the whole extension (e.g. in `attributes`).
    if (lowered === lower(uri)) return { uri, rest: '' };
    const prefix = lower(uri) + ':';
    if (lowered.startsWith(prefix)) return { uri, rest: text.slice(prefix.length) };
  }
  return undefined;
}

/** Parses `[URI ":"] attrName ["." subAttr]` (no filter brackets) into an AttributePath. */
export function parseAttributePath(rt: ResourceTypeDef, text: string): AttributePath {
  const split = splitUrn(rt, text);
  if (split && split.rest === '') return { uri: split.uri, name: '' };
  const rest = split ? split.rest : text;
  const dot = rest.indexOf('.');
  const name = dot < 0 ? rest : rest.slice(0, dot);
  const sub = dot < 0 ? undefined : rest.slice(dot + 1);
  return { uri: split?.uri, name, sub };
}

/**
 * Resolves an attribute path against a resource type: core attributes, the common ones
 * (id, externalId, meta) and extension attributes, case-insensitively. An unqualified name
 * that is not in the core schema is looked up in the extensions, as lenient clients send it.
 * Throws invalidPath when nothing matches.
 */
export function resolveAttribute(rt: ResourceTypeDef, path: AttributePath): ResolvedAttribute {
  const fail = () =>
    invalidPath(`The attribute path "${formatPath(path)}" does not name an attribute of the ${rt.name} resource.`);
  let extension: string | undefined;
  let attribute: AttributeDef | undefined;
  if (path.uri && lower(path.uri) !== lower(rt.schema.id)) {
    const schema = findExtension(rt, path.uri);
    if (!schema) throw fail();
    extension = schema.id;
    attribute = findAttribute(schema.attributes, path.name);
  } else {
    attribute = findAttribute(rt.schema.attributes, path.name) ?? findAttribute(commonAttributes, path.name);
    if (!attribute && !path.uri) {
      for (const ext of rt.extensions) {
        const found = findAttribute(ext.schema.attributes, path.name);
        if (found) {
          extension = ext.schema.id;
          attribute = found;
          break;
        }
      }
    }
  }
  if (!attribute) throw fail();
  if (path.sub === undefined) return { extension, attribute };
  const sub = findAttribute(attribute.subAttributes ?? [], path.sub);
  if (!sub) throw fail();
  return { extension, attribute, sub };
}

/** Writes an attribute path back as text, for messages. */
export function formatPath(path: AttributePath): string {
  const base = path.uri ? `${path.uri}:${path.name}` : path.name;
  return path.sub ? `${base}.${path.sub}` : base;
}
