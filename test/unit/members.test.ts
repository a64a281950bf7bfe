import { readFileSync } from 'fs';
import { join } from 'path';
import { bodyMembers, isEmptyDelta, MAX_MEMBER_CHANGES, memberDelta, memberIds, namedUsers } from '../../lambda/scim/members';
import { normalizePatchRequest, PATCH_OP_SCHEMA, planPatch } from '../../lambda/scim/patch';
import { groupResourceType } from '../../lambda/scim/schema/registry';
import { thrown } from '../support/scim-error';

/**
 * The member delta of a group request, from fixtures (test/fixtures/members/delta.json; the
 * client shapes of test/fixtures/patch/*.json state theirs too, checked in apply.test.ts).
 */
interface DeltaCase {
  readonly name: string;
  readonly client: string;
  readonly operations: unknown[];
  readonly delta?: unknown;
  readonly error?: string;
  readonly detail?: string;
}

const cases = (JSON.parse(readFileSync(join(__dirname, '../fixtures/members/delta.json'), 'utf8')) as { cases: DeltaCase[] }).cases;
const deltaOf = (operations: unknown[]) =>
  memberDelta(planPatch(groupResourceType, normalizePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: operations }), { detached: ['members'] }).detached);

describe('memberDelta: fixtures', () => {
  test.each(cases.map((c) => [`${c.name} [${c.client}]`, c] as const))('%s', (_, c) => {
    expect((c.delta === undefined) !== (c.error === undefined)).toBe(true); // a case states exactly one outcome
    if (c.error) {
      const error = thrown(() => deltaOf(c.operations));
      expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: c.error });
      if (c.detail) expect(error.detail).toContain(c.detail);
    } else {
      expect(deltaOf(c.operations)).toStrictEqual(c.delta);
    }
  });
});

describe('member deltas beyond the fixtures', () => {
  const add = (n: number, from = 0) => ({ op: 'add', path: 'members', value: Array.from({ length: n }, (_, i) => ({ value: `u${from + i}` })) });

  test(`a PATCH naming ${MAX_MEMBER_CHANGES} members is taken, one more is refused with tooMany`, () => {
    expect(namedUsers(deltaOf([add(MAX_MEMBER_CHANGES / 2), add(MAX_MEMBER_CHANGES / 2, MAX_MEMBER_CHANGES / 2)]))).toHaveLength(MAX_MEMBER_CHANGES);
    const error = thrown(() => deltaOf([add(MAX_MEMBER_CHANGES), add(1, MAX_MEMBER_CHANGES)]));
    expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: 'tooMany' });
  });

  test('a POST or PUT body gives a replace of its members, as sent, de-duplicated', () => {
    expect(bodyMembers({ displayName: 'G', Members: [{ value: 'a' }, { value: 'a', display: 'x' }, { value: 'b' }] })).toStrictEqual({ kind: 'replace', members: ['a', 'b'] });
    expect(bodyMembers({ displayName: 'G' })).toStrictEqual({ kind: 'replace', members: [] });
    expect(thrown(() => bodyMembers({ members: { value: 'a' } })).scimType).toBe('invalidValue');
    expect(thrown(() => bodyMembers({ members: Array.from({ length: MAX_MEMBER_CHANGES + 1 }, (_, i) => ({ value: `u${i}` })) })).scimType).toBe('tooMany');
  });

  test('the member rules name the member at fault', () => {
    expect(thrown(() => memberIds([{ value: 'a' }, { display: 'b' }])).detail).toContain('members[1]');
    expect(memberIds([{ value: 'a', type: 'User' }, { value: 'b', type: 'user' }])).toEqual(['a', 'b']);
  });

  test('an empty delta is told apart from a replace with no members', () => {
    expect(isEmptyDelta(deltaOf([{ op: 'replace', path: 'displayName', value: 'x' }]))).toBe(true);
    expect(isEmptyDelta(deltaOf([{ op: 'replace', path: 'members', value: [] }]))).toBe(false);
  });
});
