import { ScimError } from '../../../lambda/scim/errors';
import { FILTER_LIMITS, parseFilter, parsePatchPath } from '../../../lambda/scim/filter/parser';
import { groupResourceType, userResourceType } from '../../../lambda/scim/schema/registry';
import filterCases from '../../fixtures/filter/parser.json';
import pathCases from '../../fixtures/filter/patch-path.json';
import { thrown as failure } from '../../support/scim-error';

type Case = { filter?: string; path?: string; resourceType?: string; ast?: unknown; result?: unknown; error?: string; detail?: string };

const rtOf = (c: Case) => (c.resourceType === 'Group' ? groupResourceType : userResourceType);

const valid = (cases: Case[], key: 'ast' | 'result') => cases.filter((c) => c[key]).map((c) => [c.filter ?? c.path, c] as const);
const invalid = (cases: Case[]) => cases.filter((c) => c.error).map((c) => [c.filter ?? c.path, c] as const);

describe('parseFilter', () => {
  test.each(valid(filterCases as Case[], 'ast'))('%j', (_, c) => {
    expect(parseFilter(rtOf(c), c.filter as string)).toEqual(c.ast);
  });

  test('a lexical error anywhere wins over a syntax or schema error before it, as if tokenized first', () => {
    expect(failure(() => parseFilter(userResourceType, 'userName xx "unterminated')).detail).toContain('Unterminated string');
    expect(failure(() => parseFilter(userResourceType, 'nosuch eq "a" and title eq "\\x"')).detail).toContain('Invalid string at offset 27');
    expect(failure(() => parseFilter(userResourceType, 'title eq "\\x" and title eq "\\y"')).detail).toContain('Invalid string at offset 9');
    expect(failure(() => parseFilter(userResourceType, '(title pr and é')).detail).toContain('Unexpected character "é"');
  });

  test('resolved paths are frozen and shared by the ASTs of later parses, which they do not change', () => {
    const first = parseFilter(userResourceType, 'USERNAME eq "a"');
    const second = parseFilter(userResourceType, 'USERNAME eq "b"');
    expect(first.kind === 'compare' && second.kind === 'compare' && first.path === second.path).toBe(true);
    expect(first.kind === 'compare' && Object.isFrozen(first.path)).toBe(true);
    expect(first).toEqual({ kind: 'compare', path: { name: 'userName' }, op: 'eq', value: 'a' });
    // A complex attribute compared by its value gets its own path object; the shared one is untouched.
    expect(parseFilter(userResourceType, 'emails co "x"')).toEqual({ kind: 'compare', path: { name: 'emails', sub: 'value' }, op: 'co', value: 'x' });
    expect(parseFilter(userResourceType, 'emails pr')).toEqual({ kind: 'present', path: { name: 'emails' } });
  });

  test.each(invalid(filterCases as Case[]))('rejects %j', (_, c) => {
    const error = failure(() => parseFilter(rtOf(c), c.filter as string));
    expect([error.status, error.scimType]).toEqual([400, c.error]);
    if (c.detail) expect(error.detail).toContain(c.detail);
  });
});

describe('parsePatchPath (RFC 7644 §3.5.2)', () => {
  test.each(valid(pathCases as Case[], 'result'))('%j', (_, c) => {
    expect(parsePatchPath(rtOf(c), c.path as string)).toEqual(c.result);
  });

  test.each(invalid(pathCases as Case[]))('rejects %j', (_, c) => {
    const error = failure(() => parsePatchPath(rtOf(c), c.path as string));
    expect([error.status, error.scimType]).toEqual([400, c.error]);
    if (c.detail) expect(error.detail).toContain(c.detail);
  });
});

/** Hostile inputs, generated because they are too big for a fixture file. */
describe('limits on hostile input', () => {
  const comparisons = (n: number) => Array.from({ length: n }, () => 'title pr').join(' or ');
  const nested = (n: number) => `${'('.repeat(n)}title pr${')'.repeat(n)}`;
  const hostile: [string, string, string][] = [
    ['10,000 nested parentheses', nested(10000), 'longer than 4096'],
    ['10,000 unbalanced parentheses', '('.repeat(10000), 'longer than 4096'],
    ['a 5,000-character attribute name', `${'a'.repeat(5000)} eq "x"`, 'longer than 4096'],
    ['a 4,000-character unknown attribute', `${'a'.repeat(4000)} eq "x"`, 'Unknown attribute'],
    ['51 nested parentheses', nested(51), 'deeper than 50'],
    ['51 nested not', `${'not ('.repeat(51)}title pr${')'.repeat(51)}`, 'deeper than 50'],
    ['201 comparisons', comparisons(201), 'more than 200 comparisons'],
    ['a 4,097-character filter', `userName eq "${'x'.repeat(4083)}"`, 'longer than 4096'],
  ];

  test.each(hostile)('rejects %s', (_, text, detail) => {
    const error = failure(() => parseFilter(userResourceType, text));
    expect([error.status, error.scimType]).toEqual([400, 'invalidFilter']);
    expect(error.detail).toContain(detail);
    // Names are shown whole up to NAME_EXCERPT (256) characters, anything else up to 60.
    expect(error.detail.length).toBeLessThan(text.startsWith('aaaa') && detail === 'Unknown attribute' ? 340 : 160);
  });

  test('accepts what is just within the limits', () => {
    expect(FILTER_LIMITS).toEqual({ maxLength: 4096, maxDepth: 50, maxComparisons: 200 });
    expect(parseFilter(userResourceType, nested(50))).toEqual({ kind: 'present', path: { name: 'title' } });
    expect(parseFilter(userResourceType, comparisons(200)).kind).toBe('or');
    expect(parseFilter(userResourceType, `userName eq "${'x'.repeat(4082)}"`).kind).toBe('compare');
  });

  test('applies the limits to PATCH paths as invalidPath', () => {
    const long = failure(() => parsePatchPath(groupResourceType, `members[value eq "${'x'.repeat(5000)}"]`));
    expect([long.scimType, long.detail]).toEqual(['invalidPath', 'The PATCH path is longer than 4096 characters.']);
    const deep = failure(() => parsePatchPath(groupResourceType, `members[${'('.repeat(60)}value pr${')'.repeat(60)}]`));
    expect(deep.scimType).toBe('invalidPath');
    expect(deep.detail).toContain('deeper than 50');
  });

  test('never throws anything but a ScimError on random input', () => {
    const alphabet = ['userName', 'emails', 'members', 'value', 'type', ' eq ', ' pr ', ' and ', ' or ', 'not'];
    alphabet.push('(', ')', '[', ']', '.', '"x"', '"', '\\', '1', '-', 'true', 'null', ' ', '\u0000', 'é');
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 2000; i++) {
      const pick = () => alphabet[Math.floor(random() * alphabet.length)];
      const text = Array.from({ length: 1 + Math.floor(random() * 12) }, pick).join('');
      for (const run of [() => parseFilter(userResourceType, text), () => parsePatchPath(groupResourceType, text)]) {
        try {
          run();
        } catch (error) {
          expect(error).toBeInstanceOf(ScimError);
          expect((error as ScimError).status).toBe(400);
        }
      }
    }
  });
});
