import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { ScimError } from '../../../lambda/scim/errors';
import { memberDelta } from '../../../lambda/scim/members';
import { applyPatch, normalizePatchRequest, PATCH_OP_SCHEMA, type PatchOptions } from '../../../lambda/scim/patch';
import { groupResourceType, userResourceType } from '../../../lambda/scim/schema/registry';
import type { JsonObject, ResourceTypeDef } from '../../../lambda/scim/schema/types';
import { thrown } from '../../support/scim-error';

/**
 * Fixture-driven tests of applyPatch (test/fixtures/patch/*.json except dialects.json and
 * resources.json). Each case's operations are sent as a client would, through
 * normalizePatchRequest, and applied to a frozen resource, so any write to the input throws.
 * Group cases keep `members` detached, as the Group store does, unless they say otherwise.
 */
interface ApplyCase {
  readonly name: string;
  readonly client: string;
  readonly resourceType?: 'User' | 'Group';
  /** A resource, or the name of one in resources.json. */
  readonly resource: string | JsonObject;
  readonly options?: PatchOptions;
  readonly operations: unknown[];
  readonly expected?: JsonObject;
  readonly detached?: unknown[];
  /** Group cases with members detached: the member delta the request folds into (lambda/scim/members.ts). */
  readonly delta?: unknown;
  readonly error?: string;
  readonly detail?: string;
}

const dir = join(__dirname, '../../fixtures/patch');
const load = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const resources = load('resources.json') as Record<string, JsonObject>;
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'dialects.json' && f !== 'resources.json');

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

function patch(rt: ResourceTypeDef, resource: JsonObject, operations: unknown[], options?: PatchOptions) {
  return applyPatch(rt, resource, normalizePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: operations }), options);
}

test('the fixture files are found', () => {
  expect(files).toEqual(expect.arrayContaining(['clients.json', 'hostile.json', 'rfc7644.json', 'semantics.json']));
});

describe.each(files)('applyPatch: %s', (file) => {
  const cases = (load(file) as { cases: ApplyCase[] }).cases;
  test.each(cases.map((c) => [`${c.name} [${c.client}]`, c] as const))('%s', (_, c) => {
    expect((c.expected === undefined) !== (c.error === undefined)).toBe(true); // a case states exactly one outcome
    const rt = c.resourceType === 'Group' ? groupResourceType : userResourceType;
    const source = typeof c.resource === 'string' ? resources[c.resource] : c.resource;
    expect(source).toBeDefined();
    const resource = deepFreeze(structuredClone(source));
    const options = c.options ?? (rt === groupResourceType ? { detached: ['members'] } : {});
    const run = () => patch(rt, resource, c.operations, options);
    if (c.error) {
      const error = thrown(run);
      expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: c.error });
      if (c.detail) expect(error.detail).toContain(c.detail);
    } else {
      const result = run();
      expect(result.resource).toStrictEqual(c.expected);
      expect(result.detached).toStrictEqual(c.detached ?? []);
      // Every client's member shapes state the one delta they mean.
      if (rt === groupResourceType && !c.options) {
        expect(c.delta).toBeDefined();
        expect(memberDelta(result.detached)).toStrictEqual(c.delta);
      }
    }
    expect(resource).toStrictEqual(source);
  });
});

describe('applyPatch beyond the fixtures', () => {
  const user = resources.user;

  test('returns a new object; touched values are new, untouched ones are shared, the input is never written', () => {
    const input = deepFreeze(structuredClone(user));
    const result = patch(userResourceType, input, [{ op: 'replace', path: 'name.givenName', value: 'Babs' }]);
    expect(result.resource).not.toBe(input);
    expect(result.resource.name).not.toBe(input.name);
    expect(result.resource.name).toStrictEqual({ familyName: 'Jensen', givenName: 'Babs' });
    // Copy-on-write: what no operation touched is the input's own value (callers treat both as read-only).
    expect(result.resource.emails).toBe(input.emails);
    expect(input).toStrictEqual(user);
  });

  test('an extension object is copied once and edited by several operations, the input untouched', () => {
    const input = deepFreeze(structuredClone(resources.enterpriseUser));
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const result = patch(userResourceType, input, [
      { op: 'replace', path: `${urn}:department`, value: 'Sales' },
      { op: 'replace', path: `${urn}:costCenter`, value: '42' },
    ]);
    expect(result.resource[urn]).toMatchObject({ department: 'Sales', costCenter: '42' });
    expect(result.resource[urn]).not.toBe(input[urn]);
    expect(input).toStrictEqual(resources.enterpriseUser);
  });

  test('atomic: when the 3rd of 3 operations fails, a frozen input is untouched and can be patched again', () => {
    const input = deepFreeze(structuredClone(resources.enterpriseUser));
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const good = [
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' },
      { op: 'replace', path: `${urn}:department`, value: 'Sales' },
    ];
    const error = thrown(() => patch(userResourceType, input, [...good, { op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }]));
    expect(error.scimType).toBe('mutability');
    expect(error.detail).toMatch(/^Operations\[2\]: /);
    expect(input).toStrictEqual(resources.enterpriseUser);
    const result = patch(userResourceType, input, good);
    expect((result.resource.emails as JsonObject[])[0].value).toBe('new@example.com');
    expect((result.resource[urn] as JsonObject).department).toBe('Sales');
  });

  test('a result patched again is left as it was', () => {
    const first = patch(userResourceType, user, [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'one@example.com' }]).resource;
    const snapshot = structuredClone(first);
    const second = patch(userResourceType, first, [
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'two@example.com' },
      { op: 'remove', path: 'name.givenName' },
    ]).resource;
    expect(first).toStrictEqual(snapshot);
    expect((second.emails as JsonObject[])[0].value).toBe('two@example.com');
  });

  test('atomic: the failing operation is named, and the input is unchanged', () => {
    const input = structuredClone(user);
    const error = thrown(() =>
      patch(userResourceType, input, [
        { op: 'replace', path: 'displayName', value: 'Changed' },
        { op: 'add', path: 'emails', value: [{ value: 'a@example.com', primary: true }] },
        { op: 'replace', path: 'id', value: 'stolen' },
      ]),
    );
    expect(error.scimType).toBe('mutability');
    expect(error.detail).toMatch(/^Operations\[2\]: /);
    expect(input).toStrictEqual(user);
  });

  test('applies operations in order: a later op sees the earlier one', () => {
    const result = patch(userResourceType, user, [
      { op: 'add', path: 'emails', value: [{ value: 'home@example.com', type: 'home' }] },
      { op: 'replace', path: 'emails[type eq "home"].display', value: 'Home' },
      { op: 'remove', path: 'emails[type eq "work"]' },
    ]);
    expect(result.resource.emails).toStrictEqual([{ value: 'home@example.com', type: 'home', display: 'Home' }]);
  });

  test('a remove without path given directly to applyPatch fails with noTarget', () => {
    const error = thrown(() => applyPatch(userResourceType, user, [{ op: 'remove' }]));
    expect(error.scimType).toBe('noTarget');
  });

  test('an add with no value given directly to applyPatch fails with invalidValue', () => {
    const error = thrown(() => applyPatch(userResourceType, user, [{ op: 'add', path: 'title' }]));
    expect(error.scimType).toBe('invalidValue');
  });

  test('detached attributes are matched case-insensitively', () => {
    const result = patch(groupResourceType, resources.group, [{ op: 'add', path: 'MEMBERS', value: [{ value: 'u1' }] }], {
      detached: ['Members'],
    });
    expect(result.detached).toStrictEqual([{ attribute: 'members', op: 'add', values: [{ value: 'u1' }] }]);
    expect(result.resource).toStrictEqual(resources.group);
  });

  test('the prototype is never polluted', () => {
    expect(() => patch(userResourceType, user, [{ op: 'add', value: JSON.parse('{"__proto__": {"polluted": true}}') }])).toThrow(ScimError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
