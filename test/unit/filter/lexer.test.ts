import { invalidPath } from '../../../lambda/scim/errors';
import { excerpt, excerptName, NAME_EXCERPT, tokenize, type Token } from '../../../lambda/scim/filter/lexer';
import cases from '../../fixtures/filter/lexer.json';
import { thrown as failure } from '../../support/scim-error';

type Case = { input: string; tokens?: unknown[][]; error?: string; detail?: string };

/** A token as the fixture writes it: [kind, op | value | text]. */
const simple = (t: Token): unknown[] => [t.kind, t.kind === 'op' ? t.op : t.kind === 'literal' ? t.value : t.text];

describe('tokenize (RFC 7644 §3.4.2.2)', () => {
  test.each((cases as Case[]).filter((c) => c.tokens).map((c) => [c.input, c] as const))('%j', (_, c) => {
    const tokens = tokenize(c.input);
    expect(tokens[tokens.length - 1].kind).toBe('eof');
    expect(tokens.slice(0, -1).map(simple)).toEqual(c.tokens);
  });

  test.each((cases as Case[]).filter((c) => c.error).map((c) => [c.input, c] as const))('rejects %j', (_, c) => {
    const error = failure(() => tokenize(c.input));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe(c.error);
    expect(error.detail).toContain(c.detail);
  });

  test('records the offset of each token', () => {
    expect(tokenize('a eq "b"').map((t) => t.pos)).toEqual([0, 2, 5, 8]);
  });

  test('raises the error the caller chooses (invalidPath for PATCH paths)', () => {
    expect(failure(() => tokenize('members[value eq "x', invalidPath)).scimType).toBe('invalidPath');
  });

  test('quotes at most about 60 characters of a long input', () => {
    const error = failure(() => tokenize(`a eq "${'x'.repeat(5000)}`));
    expect(error.detail.length).toBeLessThan(140);
    expect(excerpt('y'.repeat(1000)).length).toBeLessThanOrEqual(62);
    expect(excerpt('\u0001')).toBe('"\\u0001"');
  });

  test('quotes an attribute name whole up to 256 characters, and cuts a longer one on a code point', () => {
    const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName';
    expect(excerptName(enterprise)).toBe(JSON.stringify(enterprise));
    expect(excerptName('n'.repeat(NAME_EXCERPT))).toBe(JSON.stringify('n'.repeat(NAME_EXCERPT)));
    expect(excerptName('n'.repeat(NAME_EXCERPT + 1))).toBe(JSON.stringify(`${'n'.repeat(NAME_EXCERPT - 3)}...`));
    // A cut that would split a surrogate pair keeps the pair out whole.
    const emoji = `${'a'.repeat(56)}😀${'b'.repeat(10)}`;
    expect(excerpt(emoji)).toBe(JSON.stringify(`${'a'.repeat(56)}...`));
  });
});
