import { attr } from '../../lambda/scim/schema/attribute';
import { groupResourceType, userResourceType } from '../../lambda/scim/schema/registry';
import type { AttributeDef, AttributeType, Json, JsonObject, Mutability, ResourceTypeDef } from '../../lambda/scim/schema/types';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../../lambda/scim/schema/user';
import { validateResource, validateValue } from '../../lambda/scim/validate';
import resourcesFixture from '../fixtures/validate/resources.json';
import valuesFixture from '../fixtures/validate/values.json';
import { thrown } from '../support/scim-error';

/** One case of test/fixtures/validate/resources.json. */
interface ResourceCase {
  readonly name: string;
  readonly client: string;
  readonly resourceType: 'User' | 'Group' | 'Badge';
  readonly body: unknown;
  readonly existing?: JsonObject;
  readonly expected?: JsonObject;
  readonly error?: { status: number; scimType: string };
  readonly detail?: string;
}

/** An attribute definition as test/fixtures/validate/values.json writes it. */
interface DefSpec {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued?: boolean;
  readonly mutability?: Mutability;
  readonly sub?: DefSpec[];
}

/** One case of test/fixtures/validate/values.json. */
interface ValueCase {
  readonly name: string;
  readonly def: DefSpec;
  readonly raw: Json;
  readonly expected?: Json;
  readonly unassigned?: boolean;
  readonly error?: string;
  readonly detail?: string;
}

/**
 * A test-only resource type with an immutable attribute: neither User nor Group has one at the
 * top level (members.value is immutable only as a sub-attribute), so this is how the
 * immutability check of RFC 7644 §3.5.1 is reached.
 */
const badgeResourceType: ResourceTypeDef = {
  id: 'Badge',
  name: 'Badge',
  endpoint: '/Badges',
  description: 'Badge',
  schema: {
    id: 'urn:example:scim:schemas:Badge',
    name: 'Badge',
    description: 'Badge',
    attributes: [attr('badgeNumber', 'string', { mutability: 'immutable' }), attr('label', 'string')],
  },
  extensions: [],
};

const resourceTypes: Record<ResourceCase['resourceType'], ResourceTypeDef> = {
  User: userResourceType,
  Group: groupResourceType,
  Badge: badgeResourceType,
};

function defOf(spec: DefSpec): AttributeDef {
  const { name, type, sub, ...options } = spec;
  return attr(name, type, sub ? { ...options, subAttributes: sub.map(defOf) } : options);
}

describe('validateResource', () => {
  for (const c of resourcesFixture.cases as unknown as ResourceCase[]) {
    test(c.name, () => {
      expect((c.expected === undefined) !== (c.error === undefined)).toBe(true); // exactly one outcome per case
      const rt = resourceTypes[c.resourceType];
      const run = () => validateResource(rt, c.body, { existing: c.existing });
      if (c.error) {
        const error = thrown(run);
        expect({ status: error.status, scimType: error.scimType }).toEqual(c.error);
        if (c.detail) expect(error.detail).toContain(c.detail);
      } else {
        expect(run()).toStrictEqual(c.expected);
      }
    });
  }

  test('orders the output as the schema does: schemas, common, core, then extensions', () => {
    const result = validateResource(userResourceType, {
      [ENTERPRISE_USER_SCHEMA.toUpperCase()]: { department: 'Tour Operations' },
      emails: [{ value: 'b@example.com' }],
      active: true,
      userName: 'bjensen',
      externalId: '701984',
      schemas: [ENTERPRISE_USER_SCHEMA, USER_SCHEMA],
    });
    expect(Object.keys(result)).toEqual(['schemas', 'externalId', 'userName', 'active', 'emails', ENTERPRISE_USER_SCHEMA]);
    expect(result.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  });

  test('does not mutate the request body', () => {
    const body = { schemas: [USER_SCHEMA], USERNAME: 'bjensen', active: 'True', password: 'x', emails: { value: 'b@example.com' } };
    const before = structuredClone(body);
    validateResource(userResourceType, body);
    expect(body).toStrictEqual(before);
  });
});

describe('validateValue', () => {
  for (const c of valuesFixture.cases as unknown as ValueCase[]) {
    test(c.name, () => {
      const outcomes = [c.expected !== undefined, c.unassigned === true, c.error !== undefined];
      expect(outcomes.filter(Boolean)).toHaveLength(1); // exactly one outcome per case
      const def = defOf(c.def);
      const run = () => validateValue(def, c.raw, c.def.name);
      if (c.error) {
        const error = thrown(run);
        expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: c.error });
        expect(error.detail).toContain(c.detail ?? c.def.name);
      } else if (c.unassigned) {
        expect(run()).toBeUndefined();
      } else {
        expect(run()).toStrictEqual(c.expected);
      }
    });
  }

  test('undefined (attribute absent) is unassigned', () => {
    expect(validateValue(attr('nickName', 'string'), undefined, 'nickName')).toBeUndefined();
  });
});
