import { MAX_JSON_DEPTH, parseJson } from '../../lambda/scim/json-body';
import structure from '../fixtures/json-body/structure.json';
import { thrown } from '../support/scim-error';

/** One case of test/fixtures/json-body/structure.json: exactly one of `expected` and `error`. */
interface StructureCase {
  readonly name: string;
  readonly why?: string;
  readonly text: string;
  readonly expected?: unknown;
  readonly error?: string;
}

describe('parseJson: nesting and repeated names', () => {
  test.each((structure.cases as StructureCase[]).map((c) => [c.why ? `${c.name} (${c.why})` : c.name, c] as const))('%s', (_, c) => {
    expect((c.expected === undefined) !== (c.error === undefined)).toBe(true);
    if (c.error) {
      const error = thrown(() => parseJson(c.text));
      expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: c.error });
    } else {
      expect(parseJson(c.text)).toStrictEqual(c.expected);
    }
  });

  test('a body nested 500,000 levels (the most 1 MiB holds) is refused, not a stack overflow', () => {
    const error = thrown(() => parseJson('['.repeat(500_000) + ']'.repeat(500_000)));
    expect(error.scimType).toBe('invalidSyntax');
    expect(error.detail).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
  });

  test('the detail names both spellings, cut at 100 characters', () => {
    expect(thrown(() => parseJson('{"userName":"a","USERNAME":"b"}')).detail).toContain('"userName" and "USERNAME"');
    expect(thrown(() => parseJson('{"x":1,"x":2}')).detail).toContain('"x" twice');
    const long = 'a'.repeat(300);
    const detail = thrown(() => parseJson(`{"${long}":1,"${long.toUpperCase()}":2}`)).detail;
    expect(detail).toContain(`"${'a'.repeat(100)}..."`);
    expect(detail).not.toContain('a'.repeat(101));
  });

  test('a repeated name is found in the 10,000th object of a member list', () => {
    const members = Array.from({ length: 10_000 }, (_, i) => `{"value":"u${i}"}`);
    members[9_999] = '{"value":"u9999","VALUE":"again"}';
    expect(thrown(() => parseJson(`{"members":[${members.join(',')}]}`)).scimType).toBe('invalidSyntax');
    members[9_999] = '{"value":"u9999"}';
    expect((parseJson(`{"members":[${members.join(',')}]}`) as { members: unknown[] }).members).toHaveLength(10_000);
  });
});
