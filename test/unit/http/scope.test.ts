import { FUNCTION_ROUTES } from '../../../lambda/handlers/routes';
import { accessOf } from '../../../lambda/http/router';
import { checkScope } from '../../../lambda/http/scope';
import type { Caller } from '../../../lambda/http/types';
import { FUNCTION_FACTORIES } from '../../../lib/local/server';

const reader: Caller = { tokenId: 'tok-r', name: 'hr-reader', scope: 'read', directory: 'default' };
const provisioner: Caller = { ...reader, tokenId: 'tok-p', name: 'okta', scope: 'provision' };

/** Which routes a `read` token may call: the rule, and every route of the route table under it. */
describe('token scopes', () => {
  test.each([
    ['GET', ['Users'], 'read'],
    ['GET', ['Users', ':id'], 'read'],
    ['POST', ['Users', '.search'], 'read'],
    ['POST', ['.search'], 'read'],
    ['POST', ['Users', '.SEARCH'], 'read'],
    ['POST', ['Users'], 'write'],
    ['POST', ['Bulk'], 'write'],
    ['PUT', ['Users', ':id'], 'write'],
    ['PATCH', ['Groups', ':id'], 'write'],
    ['DELETE', ['Groups', ':id'], 'write'],
    ['HEAD', ['Users'], 'write'],
  ])('%s /%s is a %s', (method, pattern, access) => {
    expect(accessOf(method as string, pattern as string[])).toBe(access);
  });

  // Every function's routes, as the stack and the local endpoint build them.
  const routes = FUNCTION_ROUTES.flatMap((fn) => FUNCTION_FACTORIES[fn.id]({ client: {} as never, tableName: 't', directoryId: 'default' }));

  test('the route table has reads and writes, and every route is one or the other', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.every((r) => r.access === 'read' || r.access === 'write')).toBe(true);
    expect(routes.filter((r) => r.access === 'write').map((r) => `${r.method} /${r.pattern.join('/')}`)).toEqual(
      expect.arrayContaining(['POST /Users', 'PUT /Users/:id', 'PATCH /Users/:id', 'DELETE /Users/:id', 'POST /Groups', 'POST /Bulk']),
    );
  });

  test.each(routes.map((r) => [`${r.method} /${r.pattern.join('/')}`, r] as const))('%s: a read token is refused only if it writes', (_name, r) => {
    const request = { method: r.method, segments: r.pattern.map((p) => (p.startsWith(':') ? 'some-id' : p)) };
    expect(() => checkScope(provisioner, routes, request)).not.toThrow();
    if (r.access === 'read') {
      expect(() => checkScope(reader, routes, request)).not.toThrow();
    } else {
      expect(() => checkScope(reader, routes, request)).toThrow(expect.objectContaining({ status: 403, scimType: undefined }));
    }
  });

  test('a request no route takes is left to the router (404, 405), whatever the scope', () => {
    expect(() => checkScope(reader, routes, { method: 'PUT', segments: ['Users'] })).not.toThrow();
    expect(() => checkScope(reader, routes, { method: 'POST', segments: ['Nowhere'] })).not.toThrow();
  });

  test('a scope this version does not know is refused writes (fail closed)', () => {
    expect(() => checkScope({ ...reader, scope: 'admin' as never }, routes, { method: 'POST', segments: ['Users'] })).toThrow(expect.objectContaining({ status: 403 }));
  });
});
