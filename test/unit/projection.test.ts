import { ScimError } from '../../lambda/scim/errors';
import { parseProjection, project } from '../../lambda/scim/projection';
import { groupResourceType, userResourceType } from '../../lambda/scim/schema/registry';
import type { JsonObject } from '../../lambda/scim/schema/types';
import fixture from '../fixtures/projection/projection.json';

/** One case of test/fixtures/projection/projection.json. */
interface ProjectionCase {
  readonly name: string;
  readonly why: string;
  readonly resource: string;
  readonly attributes?: string;
  readonly excludedAttributes?: string;
  readonly expected: JsonObject;
}

const types = { User: userResourceType, Group: groupResourceType };
const resources = fixture.resources as unknown as Record<string, { resourceType: 'User' | 'Group'; resource: JsonObject }>;

describe('parseProjection + project', () => {
  for (const c of fixture.cases as unknown as ProjectionCase[]) {
    const title = `${c.name} (${c.why})`;
    test(title, () => {
      const { resourceType, resource } = resources[c.resource];
      const rt = types[resourceType];
      const before = structuredClone(resource);
      const result = project(rt, resource, parseProjection(rt, c.attributes, c.excludedAttributes));
      expect(result).toStrictEqual(c.expected);
      expect(resource).toStrictEqual(before); // the stored resource is not modified
    });
  }
});

describe('parseProjection', () => {
  const names = (n: number) => Array.from({ length: n }, () => 'userName').join(',');

  test('no parameters parse to no projection', () => {
    expect(parseProjection(userResourceType)).toStrictEqual({ attributes: undefined, excluded: undefined });
  });

  test('accepts 100 names', () => {
    expect(parseProjection(userResourceType, names(100)).attributes).toHaveLength(100);
  });

  test('refuses 101 names with 400 invalidValue', () => {
    for (const run of [() => parseProjection(userResourceType, names(101)), () => parseProjection(userResourceType, undefined, names(101))]) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScimError);
      expect({ status: (error as ScimError).status, scimType: (error as ScimError).scimType }).toEqual({ status: 400, scimType: 'invalidValue' });
    }
  });
});
