import { ERROR } from './server';
import type { Answer } from './workload';

/** One case of test/fixtures/profiles/iic-refusals.json. */
export interface IicCase {
  readonly rule: string;
  readonly status: number;
  readonly rfcStatus: number;
  readonly detail?: string;
  readonly detailContains?: string;
}

/** Expands the fixture's placeholders: {user}, {group}, and long values. */
export function expander(ids: () => { user: string; group: string }) {
  const expand = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (value === 'REPEAT_129') return 'u'.repeat(129);
      if (value === 'MEMBERS_101') return Array.from({ length: 101 }, (_, i) => ({ value: `m${i}` }));
      return value.replace('{user}', ids().user).replace('{group}', ids().group);
    }
    if (Array.isArray(value)) return value.map(expand);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
    return value;
  };
  return expand;
}

/** IIC's refusal of a case (CLIENTS.md §1.7): its status as a string, the extra "schema" key, request id and time stamp, no scimType. */
export function expectIicRefusal(res: Answer, c: IicCase): void {
  expect(res.status).toBe(c.status);
  expect(res.json).toEqual({
    schema: [ERROR],
    schemas: [ERROR],
    detail: c.detail !== undefined ? c.detail : expect.any(String),
    status: String(c.status),
    exceptionRequestId: expect.any(String),
    timeStamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/),
  });
  if (c.detailContains !== undefined) expect(res.json.detail).toContain(c.detailContains);
  expect(res.headers.get('content-type')).toBe('application/json');
}
