import { compareValues, compileFilter, evaluate, matchesValue } from '../../../lambda/scim/filter/evaluate';
import { parseFilter, parsePatchPath } from '../../../lambda/scim/filter/parser';
import { attr } from '../../../lambda/scim/schema/attribute';
import { findAttribute, groupResourceType, userResourceType } from '../../../lambda/scim/schema/registry';
import type { Json, JsonObject } from '../../../lambda/scim/schema/types';
import fixture from '../../fixtures/filter/evaluate.json';

type Case = { filter: string; resourceType?: string; matches: string[] };

const types = { User: userResourceType, Group: groupResourceType };
const resources = fixture.resources as unknown as Record<'User' | 'Group', JsonObject[]>;

describe('evaluate (RFC 7644 §3.4.2.2)', () => {
  test.each((fixture.cases as Case[]).map((c) => [c.filter, c] as const))('%j', (_, c) => {
    const name = c.resourceType === 'Group' ? 'Group' : 'User';
    const filter = parseFilter(types[name], c.filter);
    const ids = resources[name].filter((r) => evaluate(filter, r, types[name])).map((r) => r.id);
    expect(ids).toEqual(c.matches);
  });
});

describe('matchesValue (PATCH value filters, RFC 7644 §3.5.2)', () => {
  test('selects the elements a PATCH path filter names', () => {
    const path = parsePatchPath(userResourceType, 'emails[type eq "work" and primary eq true].value');
    const emails = findAttribute(userResourceType.schema.attributes, 'emails');
    const values: Json[] = [
      { value: 'a@x', type: 'WORK', primary: true },
      { value: 'b@x', type: 'work' },
      { value: 'c@x', type: 'home', primary: true },
    ];
    expect(values.map((v) => matchesValue(path.filter!, v, emails!))).toEqual([true, false, false]);
  });
});

describe('compareValues', () => {
  const text = attr('s', 'string');
  const exact = attr('s', 'string', { caseExact: true });
  const when = attr('d', 'dateTime');
  const count = attr('n', 'integer');
  const flag = attr('b', 'boolean');

  test.each([
    [text, 'Abc', 'eq', 'aBC', true],
    [exact, 'Abc', 'eq', 'aBC', false],
    [exact, 'Abc', 'co', 'b', true],
    [exact, 'Abc', 'sw', 'a', false],
    [text, 'Abc', 'ew', 'BC', true],
    [text, 'b', 'gt', 'A', true],
    [exact, 'b', 'gt', 'A', true],
    [exact, 'B', 'gt', 'a', false],
    [when, '2020-01-01T01:00:00+01:00', 'eq', '2020-01-01T00:00:00Z', true],
    [when, '2020-01-01T00:00:00Z', 'lt', '2020-01-01T00:00:00.001Z', true],
    [when, 'not a date', 'lt', '2020-01-01T00:00:00Z', false],
    [count, 10, 'gt', 9, true],
    [count, 10, 'le', 9, false],
    [count, 10, 'eq', '10', false],
    [flag, true, 'eq', true, true],
    [flag, true, 'ne', false, true],
    [flag, 'true', 'eq', true, false],
    [flag, true, 'gt', false, false],
  ] as const)('%#: %j %s %j', (def, actual, op, expected, result) => {
    expect(compareValues(def, actual, op, expected)).toBe(result);
  });
});

describe('compileFilter', () => {
  test('compiles once per filter and resource type, and answers as evaluate does', () => {
    const filter = parseFilter(userResourceType, 'userName sw "b" and not (emails[type eq "work"])');
    const predicate = compileFilter(filter, userResourceType);
    expect(compileFilter(filter, userResourceType)).toBe(predicate);
    for (const r of resources.User) expect(predicate(r)).toBe(evaluate(filter, r, userResourceType));
  });

  test('reads a member spelled in another case, preferring the schema spelling', () => {
    const filter = parseFilter(userResourceType, 'userName eq "a"');
    expect(compileFilter(filter, userResourceType)({ USERNAME: 'A' })).toBe(true);
    expect(compileFilter(filter, userResourceType)({ userName: 'b', USERNAME: 'a' })).toBe(false);
  });

  test('throws for an unknown path only when a resource is tested', () => {
    const filter = { kind: 'present', path: { name: 'noSuchAttribute' } } as const;
    const predicate = compileFilter(filter, userResourceType);
    expect(() => predicate({ userName: 'a' })).toThrow(/noSuchAttribute/);
  });
});

describe('compiled comparisons agree with compareValues', () => {
  // Case folding without lower-casing copies must give what toLowerCase gives, including for
  // characters that change length (U+0130), fold onto ASCII (U+212A Kelvin) or depend on context (Σ).
  const words = ['', 'a', 'A', 'ab', 'AB', 'Ab', 'abc', 'user1', 'USER1@x', 'User10', 'xuser1', 'İ', 'i̇', 'İx', 'xİ', 'K', '\u212a', 'k',
    'ΟΔΟΣ', 'οδος', 'οδος', 'ΣΑ', 'straße', 'STRASSE', '@Example.COM', 'a@example.com', 'é', 'É', 'e\u0301'];
  // And random short strings over an alphabet of such characters.
  const alphabet = ['a', 'A', 'x', 'İ', 'i', '\u0307', 'K', '\u212a', 'k', 'Σ', 'σ', 'ς', ' ', 'é', 'ß'];
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 80; i++) {
    words.push(Array.from({ length: Math.floor(random() * 5) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
  }
  const ops = ['eq', 'ne', 'co', 'sw', 'ew'] as const;
  const rt = userResourceType;
  test.each(ops)('%s', (op) => {
    const title = findAttribute(rt.schema.attributes, 'title')!;
    const external = { ...title, caseExact: true };
    for (const operand of words) {
      const folded = compileFilter({ kind: 'compare', path: { name: 'title' }, op, value: operand }, rt);
      const exact = compileFilter({ kind: 'compare', path: { name: 'externalId' }, op, value: operand }, rt);
      const got = words.map((value) => [value, folded({ title: value }), exact({ externalId: value })]);
      const want = words.map((value) => [value, compareValues(title, value, op, operand), compareValues(external, value, op, operand)]);
      expect([operand, got]).toEqual([operand, want]);
    }
  });

  test('booleans', () => {
    const active = findAttribute(userResourceType.schema.attributes, 'active')!;
    for (const op of ['eq', 'ne'] as const) {
      for (const operand of [true, false]) {
        const filter = { kind: 'compare', path: { name: 'active' }, op, value: operand } as const;
        for (const value of [true, false, 'true', 1, null, undefined]) {
          const resource = value === undefined ? {} : { active: value };
          const expected = value === null || value === undefined ? op === 'ne' : compareValues(active, value, op, operand);
          expect([op, operand, value, compileFilter(filter, userResourceType)(resource as JsonObject)]).toEqual([op, operand, value, expected]);
        }
      }
    }
  });
});
