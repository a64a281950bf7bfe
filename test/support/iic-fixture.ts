import { ERROR } from './server';
import type { Answer } from './workload';
import { loadParityCases, type ParityCase } from './parity-table';

/**
 * The cases of test/fixtures/profiles/iic-parity.json that a directory test can send as they
 * are: IIC refuses them (a 4xx in the profile, not pending), they need no server setting, no
 * headers of their own and no resource but a user in a group ({user}, {group}; not the
 * fixture's named users and groups, `parity-…`). A path no function owns is left out: API
 * Gateway answers it itself, before any directory is known, in the deployment's profile
 * (docs/protocol.md).
 */
export function iicRefusalCases(): ParityCase[] {
  return loadParityCases().filter((c) => {
    const placeholders = [...JSON.stringify(c.request).matchAll(/\{([a-zA-Z-]+)\}/g)].map((m) => m[1]);
    return (
      !c.server &&
      !c.after &&
      !c.profile.pending &&
      c.profile.status >= 400 &&
      c.request.headers === undefined &&
      c.request.path !== '/Nothing' &&
      !JSON.stringify(c.request).toLowerCase().includes('parity') &&
      !c.request.withoutUserAgent &&
      placeholders.every((p) => p === 'user' || p === 'group')
    );
  });
}

/** Expands the fixture's placeholders: {user}, {group}, and long values. */
export function expander(ids: () => { user: string; group: string }) {
  const expand = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const repeat = /^REPEAT_(\d+)$/.exec(value);
      if (repeat) return 'r'.repeat(Number(repeat[1]));
      if (value === 'MEMBERS_101') return Array.from({ length: 101 }, (_, i) => ({ value: `m${i}` }));
      return value.replace(/\{user\}/g, ids().user).replace(/\{group\}/g, ids().group);
    }
    if (Array.isArray(value)) return value.map(expand);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
    return value;
  };
  return expand;
}

/** A case's path with its query values encoded, as a client encodes a filter. */
export function encodedPath(path: string): string {
  const [base, query] = path.split('?');
  return query === undefined ? base : `${base}?${query.split('&').map((p) => p.replace(/=(.*)$/s, (_, v: string) => `=${encodeURIComponent(v)}`)).join('&')}`;
}

/** IIC's refusal of a case (CLIENTS.md §1.7): its status as a string, the extra "schema" key, request id and time stamp, no scimType. */
export function expectIicRefusal(res: Answer, c: ParityCase): void {
  const e = (c.profile.expect ?? {}) as { detail?: string; detailContains?: string };
  expect({ behaviour: c.behaviour, status: res.status }).toEqual({ behaviour: c.behaviour, status: c.profile.status });
  expect(res.json).toEqual({
    schema: [ERROR],
    schemas: [ERROR],
    detail: e.detail !== undefined ? e.detail : expect.any(String),
    status: String(c.profile.status),
    exceptionRequestId: expect.any(String),
    timeStamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/),
  });
  if (e.detailContains !== undefined) expect(res.json.detail).toContain(e.detailContains);
  expect(res.headers.get('content-type')).toBe('application/json');
}
