import { invalidFilter, invalidValue, notFound, ScimError } from '../errors';
import type { Filter } from '../filter/ast';
import { tokenize } from '../filter/lexer';
import { parseFilter } from '../filter/parser';
import { queryParam } from '../list';
import { normalizePatchRequest, type PatchOperation } from '../patch';
import { groupResourceType, userResourceType } from '../schema/registry';
import type { Json, JsonObject } from '../schema/types';
import { ENTERPRISE_USER_SCHEMA } from '../schema/user';
import { isObject } from '../values';
import { IIC_MAX_COUNT } from '../discovery/service-provider-config';
import {
  IIC_MAX_GROUP_NAME,
  IIC_MAX_MEMBER_CHANGES,
  IIC_MAX_USER_NAME,
  IIC_RESERVED_NAMES,
  IIC_SINGLE_VALUED,
  IIC_UNSUPPORTED_SUB_ATTRIBUTES,
  IIC_UNSUPPORTED_USER_ATTRIBUTES,
} from './iic-attributes';
import { IIC_VALIDATION_DETAIL } from './iic-response';

/** A request as the profile sees it: the parsed body when there is one that parses. */
export interface ProfileRequest {
  readonly method: string;
  readonly segments: readonly string[];
  readonly query: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** What the profile changes in an accepted request: parameters IIC ignores are dropped. */
export interface ProfileAdjustment {
  readonly query: Record<string, string>;
  /** Request headers IIC does not act on (it has no ETags). */
  readonly ignoredHeaders: readonly string[];
}

/** Query parameters IIC does not support and ignores (CLIENTS.md §1.3, §1.4). */
const IGNORED_PARAMETERS = ['startIndex', 'attributes', 'excludedAttributes', 'sortBy', 'sortOrder'];

/**
 * Filters IIC accepts, as sorted sets of attribute paths as written, joined by `and`
 * (ListUsers and ListGroups, CLIENTS.md §1.2): `members.value` alone, but `members` only
 * next to `id`; `groups.value`, never `groups`.
 */
const ALLOWED_FILTERS: Record<'users' | 'groups', string[]> = {
  users: ['username', 'externalid', 'groups.value', 'id', 'id+manager'],
  groups: ['displayname', 'externalid', 'members.value', 'id', 'id+members'],
};

/** User attributes a PATCH may change (CLIENTS.md §1.5). */
const PATCHABLE_USER = new Set(
  ['userName', 'active', 'externalId', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'name', 'emails', 'addresses', 'phoneNumbers'].map((a) => a.toLowerCase()),
);
const PATCHABLE_GROUP = new Set(['displayname', 'members', 'externalid']);

const PATHLESS_DETAIL = 'Current PATCH support allows omitting "path" attribute only for Add and Replace operations modifying a single attribute.';

/**
 * The AWS IAM Identity Center profile's request rules (CLIENTS.md §1): refuses what IIC
 * refuses, with a 400 (404 for the endpoints it lacks), and drops what it ignores. Only
 * requests on /Users and /Groups reach the checks; the services then apply the RFC rules.
 */
export function checkIicRequest(request: ProfileRequest): ProfileAdjustment {
  const [first = '', id, extra] = request.segments.map((s) => s.toLowerCase());
  if (first === 'bulk' || first === '.search' || first === 'me' || id === '.search') {
    throw notFound('This endpoint is not supported (AWS IAM Identity Center profile).');
  }
  const query = { ...request.query };
  const resource = first === 'users' ? 'users' : first === 'groups' ? 'groups' : undefined;
  if (!resource || extra !== undefined) return { query, ignoredHeaders: [] };
  for (const name of Object.keys(query)) {
    if (IGNORED_PARAMETERS.some((p) => p.toLowerCase() === name.toLowerCase())) delete query[name];
  }
  if (request.method === 'GET' && id === undefined) checkList(resource, query);
  const body = request.body;
  if (resource === 'groups' && request.method === 'PUT') throw refuse('PUT is not supported on Groups; use PATCH.');
  if (resource === 'users' && (request.method === 'POST' || request.method === 'PUT') && isObject(body)) checkUser(body);
  if (resource === 'groups' && request.method === 'POST' && isObject(body)) checkGroup(body);
  if (request.method === 'PATCH' && body !== undefined) checkPatch(resource, body);
  // IIC never shows a user's groups, nor a group's members (§1.6; iic-response shows them
  // empty): left out of the answer, they are not read either. Not on a group PATCH, which
  // would then answer 200 with the group instead of IIC's 204.
  if (resource === 'users') query.excludedAttributes = 'groups';
  if (resource === 'groups' && request.method === 'GET') query.excludedAttributes = 'members';
  return { query, ignoredHeaders: ['if-match', 'if-none-match'] };
}

/** count 1-100, default 100; filters: eq only, joined by `and`, in IIC's combinations. */
function checkList(resource: 'users' | 'groups', query: Record<string, string>): void {
  const count = queryParam(query, 'count');
  if (count !== undefined && (!/^\d{1,3}$/.test(count.trim()) || Number(count) < 1 || Number(count) > IIC_MAX_COUNT)) {
    throw refuse(`"count" must be an integer from 1 to ${IIC_MAX_COUNT}.`);
  }
  const text = queryParam(query, 'filter');
  if (text === undefined || text.trim() === '') return;
  const rt = resource === 'users' ? userResourceType : groupResourceType;
  const visit = (f: Filter): void => {
    if (f.kind === 'and') {
      visit(f.left);
      visit(f.right);
    } else if (f.kind === 'compare' && f.op === 'eq' && typeof f.value === 'string') {
      // idp-scim-sync#75: IIC answers `members eq ""` with its generic ValidationException.
      if (f.path.name === 'members' && f.value === '') throw refuse(IIC_VALIDATION_DETAIL);
    } else throw invalidFilter('Only "eq" comparisons, optionally joined by "and", are supported.');
  };
  visit(parseFilter(rt, text));
  // The parser reads `members eq` as `members.value eq`; IIC tells them apart, so the
  // combination is read from the paths as written (without a URN prefix).
  const written = tokenize(text).flatMap((t) => (t.kind === 'path' ? [t.text.toLowerCase().slice(t.text.lastIndexOf(':') + 1)] : []));
  const combination = [...written].sort().join('+');
  if (!ALLOWED_FILTERS[resource].includes(combination)) {
    throw invalidFilter(`Filtering ${resource === 'users' ? 'Users' : 'Groups'} by ${written.join(' and ')} is not supported.`);
  }
}

/** A user on POST/PUT: IIC's required names, single values, and refused attributes (§1.4). */
function checkUser(body: JsonObject): void {
  const get = (object: JsonObject, name: string) => object[Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase()) ?? ''];
  const name = get(body, 'name');
  const nonEmpty = (v: Json | undefined) => typeof v === 'string' && v.trim() !== '';
  if (!isObject(name) || !nonEmpty(get(name, 'givenName')) || !nonEmpty(get(name, 'familyName')) || !nonEmpty(get(body, 'displayName'))) {
    throw refuse('name.givenName, name.familyName, userName and displayName are required.');
  }
  checkName(get(body, 'userName'), IIC_MAX_USER_NAME, 'userName');
  checkUserValues(body, false);
}

/**
 * Attribute-level rules shared by POST/PUT bodies and PATCH values. `manager.displayName` is
 * refused on POST/PUT; in a PATCH IIC answers 200 and drops it, as the core does with a
 * readOnly sub-attribute.
 */
function checkUserValues(values: JsonObject, patch: boolean): void {
  for (const [key, value] of Object.entries(values)) {
    const lower = key.toLowerCase();
    if (IIC_UNSUPPORTED_USER_ATTRIBUTES.some((a) => a.toLowerCase() === lower)) throw refuse(`The attribute "${key}" is not supported.`);
    const single = IIC_SINGLE_VALUED.find((a) => a.toLowerCase() === lower);
    if (single && Array.isArray(value)) {
      if (value.length > 1) throw refuse(`"${key}" may hold only one value.`);
      const refused = IIC_UNSUPPORTED_SUB_ATTRIBUTES[single] ?? [];
      for (const item of value) {
        if (isObject(item) && Object.keys(item).some((k) => refused.includes(k))) throw refuse(`"${key}.display" is not supported.`);
      }
      if (single === 'emails' && value.length === 1 && (!isObject(value[0]) || value[0].primary !== true)) {
        throw refuse('The email must be marked primary.');
      }
    }
    if (!patch && lower === ENTERPRISE_USER_SCHEMA.toLowerCase() && isObject(value) && isObject(value.manager) && 'displayName' in value.manager) {
      throw refuse('"manager.displayName" is not supported.');
    }
  }
}

function checkGroup(body: JsonObject): void {
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'displayname');
  checkName(key === undefined ? undefined : body[key], IIC_MAX_GROUP_NAME, 'displayName');
  const membersKey = Object.keys(body).find((k) => k.toLowerCase() === 'members');
  const members = membersKey === undefined ? undefined : body[membersKey];
  if (Array.isArray(members) && members.length > IIC_MAX_MEMBER_CHANGES) {
    throw refuse(`A group may be created with at most ${IIC_MAX_MEMBER_CHANGES} members; add the rest with PATCH.`);
  }
}

function checkName(value: Json | undefined, max: number, what: string): void {
  if (typeof value !== 'string') return; // the RFC validation refuses it
  if (value.length > max) throw refuse(`"${what}" may be at most ${max} characters.`);
  if ((IIC_RESERVED_NAMES as readonly string[]).includes(value.toLowerCase())) throw refuse(`"${value}" is a reserved name.`);
}

/** PATCH rules (§1.5): what may be changed, path-less limits, member-change limits. */
function checkPatch(resource: 'users' | 'groups', body: unknown): void {
  let operations: PatchOperation[];
  try {
    operations = normalizePatchRequest(body);
  } catch (error) {
    if (error instanceof ScimError) return; // the route answers the same refusal
    throw error;
  }
  const touched = new Map<string, number>();
  let memberChanges = 0;
  for (const op of operations) {
    // AWS's PatchGroup example and Okta's group push rename with {"id": ..., "displayName": ...}:
    // the readOnly id is no attribute being changed (the core skips it too).
    const keys = op.path === undefined && isObject(op.value) ? Object.keys(op.value).filter((k) => resource === 'users' || k.toLowerCase() !== 'id') : [];
    if (op.path === undefined && keys.length !== 1) throw refuse(PATHLESS_DETAIL);
    const attributes = op.path === undefined ? keys : [op.path];
    for (const path of attributes) {
      const name = attributeOf(path);
      touched.set(name, (touched.get(name) ?? 0) + 1);
      if (/\[/.test(path) && /\b(ne|co|sw|ew|gt|ge|lt|le|pr|or|not)\b/i.test(path.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
        throw invalidFilter('Only "eq" is supported in PATCH path filters.');
      }
      if (resource === 'users') {
        if (!PATCHABLE_USER.has(name) && name !== 'enterprise') throw refuse(`The attribute "${path.slice(0, 100)}" cannot be changed.`);
        if (op.op === 'remove' && (name === 'active' || name === 'username')) throw refuse(`"${name === 'active' ? 'active' : 'userName'}" cannot be removed.`);
      } else {
        if (!PATCHABLE_GROUP.has(name)) throw refuse(`The attribute "${path.slice(0, 100)}" cannot be changed on a Group.`);
        if (name === 'members') memberChanges += checkMemberOp(op, path);
      }
      // The Identity Store's name limits hold however a name is written (§1.4).
      const value = op.path === undefined ? (op.value as JsonObject)[path] : op.value;
      if (op.op !== 'remove' && resource === 'users' && name === 'username') checkName(value, IIC_MAX_USER_NAME, 'userName');
      if (op.op !== 'remove' && resource === 'groups' && name === 'displayname') checkName(value, IIC_MAX_GROUP_NAME, 'displayName');
    }
    if (resource === 'users') {
      const values = op.path === undefined ? (op.value as JsonObject) : isObject(op.value) || Array.isArray(op.value) ? { [attributeOf(op.path)]: op.value } : {};
      checkUserValues(values as JsonObject, true);
    }
  }
  if (resource === 'users' && ((touched.get('username') ?? 0) > 1 || (touched.get('active') ?? 0) > 1)) {
    throw refuse('userName and active may each be changed by one operation per request.');
  }
  if (memberChanges > IIC_MAX_MEMBER_CHANGES) throw refuse(`A PATCH may change at most ${IIC_MAX_MEMBER_CHANGES} memberships.`);
}

/** How many memberships a members operation changes; replace and remove-all are refused. */
function checkMemberOp(op: PatchOperation, path: string): number {
  if (op.op === 'replace') throw refuse('Replacing all memberships of a group is not supported; add and remove members instead.');
  if (op.op === 'remove' && /\[/.test(path)) return 1;
  const values = op.path === undefined && isObject(op.value) ? Object.values(op.value)[0] : op.value;
  if (op.op === 'remove' && (values === undefined || values === null || (Array.isArray(values) && values.length === 0))) {
    throw refuse('Removing all memberships of a group is not supported; remove members one by one.');
  }
  return Array.isArray(values) ? values.length : 1;
}

/** The top-level attribute a path or path-less key names, lower-cased; `enterprise` for the extension. */
function attributeOf(path: string): string {
  const lower = path.toLowerCase();
  if (lower.startsWith(ENTERPRISE_USER_SCHEMA.toLowerCase())) return 'enterprise';
  const core = lower.startsWith('urn:') ? lower.slice(lower.lastIndexOf(':') + 1) : lower;
  return core.split(/[.[]/)[0];
}

/** IIC's ValidationException: a 400 whose body (see iic-response) carries no scimType. */
function refuse(detail: string): ScimError {
  return invalidValue(detail);
}
