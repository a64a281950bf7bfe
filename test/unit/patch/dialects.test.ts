import { readFileSync } from 'fs';
import { join } from 'path';
import { MAX_PATCH_OPERATIONS, PATCH_OP_SCHEMA, normalizePatchRequest } from '../../../lambda/scim/patch';
import { thrown } from '../../support/scim-error';

/** One case of test/fixtures/patch/dialects.json: a request body in, canonical operations or an error out. */
interface DialectCase {
  readonly name: string;
  readonly client: string;
  readonly body: unknown;
  readonly expected?: unknown[];
  readonly error?: string;
  readonly detail?: string;
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/patch/dialects.json'), 'utf8')) as { cases: DialectCase[] };

describe('normalizePatchRequest', () => {
  test.each(fixture.cases.map((c) => [`${c.name} [${c.client}]`, c] as const))('%s', (_, c) => {
    expect((c.expected === undefined) !== (c.error === undefined)).toBe(true); // a case states exactly one outcome
    if (c.error) {
      const error = thrown(() => normalizePatchRequest(c.body));
      expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: c.error });
      if (c.detail) expect(error.detail).toContain(c.detail);
    } else {
      expect(normalizePatchRequest(c.body)).toStrictEqual(c.expected);
    }
  });

  const ops = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` }));

  test(`accepts ${MAX_PATCH_OPERATIONS} operations`, () => {
    const result = normalizePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops(MAX_PATCH_OPERATIONS) });
    expect(result).toHaveLength(MAX_PATCH_OPERATIONS);
    expect(result[MAX_PATCH_OPERATIONS - 1]).toStrictEqual({ op: 'replace', path: 'title', value: `t${MAX_PATCH_OPERATIONS - 1}` });
  });

  test(`refuses ${MAX_PATCH_OPERATIONS + 1} operations with tooMany`, () => {
    const error = thrown(() => normalizePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops(MAX_PATCH_OPERATIONS + 1) }));
    expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: 'tooMany' });
    expect(error.detail).toContain(String(MAX_PATCH_OPERATIONS));
  });

  test('does not mutate the request body', () => {
    const body = { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'Replace', path: ' title ', value: 'x' }] };
    const before = structuredClone(body);
    normalizePatchRequest(body);
    expect(body).toStrictEqual(before);
  });
});
