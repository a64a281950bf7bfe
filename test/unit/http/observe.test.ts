import { resourceRoutes } from '../../../lambda/http/resource-routes';
import { describeRoute } from '../../../lambda/http/router';
import { operationOf, ownId, statusClassOf } from '../../../lambda/http/observe';
import { discoveryRoutes } from '../../../lambda/http/discovery-routes';
import type { ResourceService } from '../../../lambda/service/resource-service';

/** What logs and metrics say about a path: templates and our own ids, never what the client chose. */
const users = resourceRoutes({ rt: { endpoint: '/Users' } } as unknown as ResourceService);
const routes = [...users, ...discoveryRoutes('rfc')];

describe('describeRoute and operationOf', () => {
  test.each([
    ['GET', ['Users'], 'Users', 'GET Users'],
    ['GET', ['users', 'ada@example.com'], 'Users/{id}', 'GET Users/{id}'],
    ['POST', ['Users', '.search'], 'Users/.search', 'POST Users/.search'],
    ['DELETE', ['Users'], 'Users', 'unrouted'],
    ['GET', ['Users', 'a', 'b'], undefined, 'unrouted'],
    ['GET', ['ada@example.com'], undefined, 'unrouted'],
    ['PATCH', ['Me', 'x@example.com'], 'Me/{rest}', 'PATCH Me/{rest}'],
    ['GET', ['Schemas', 'urn:ietf:params:scim:schemas:core:2.0:User'], 'Schemas/{id}', 'GET Schemas/{id}'],
  ])('%s /%s → template %s, operation %s', (method, segments, template, operation) => {
    const described = describeRoute(routes, method, segments);
    expect(described.template).toBe(template);
    expect(operationOf({ method, route: described.template, routed: described.routed })).toBe(operation);
  });

  test('the operations are the route table\'s, however many paths and methods clients send', () => {
    const operations = new Set<string>();
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
      for (const path of [['Users'], ['Users', 'x'], ['Users', '.search'], ['Me'], ['Me', 'y'], ['Schemas'], ['nope'], ['Users', 'x', 'y']]) {
        const d = describeRoute(routes, method, path);
        operations.add(operationOf({ method, route: d.template, routed: d.routed }));
      }
    }
    expect(operations.size).toBeLessThanOrEqual(routes.length + 1);
    expect(operations).toContain('unrouted');
  });
});

describe('ownId', () => {
  test.each([
    ['2819c223-7f76-453a-919d-413861904646', '2819c223-7f76-453a-919d-413861904646'],
    ['2819C223-7F76-453A-919D-413861904646', '2819C223-7F76-453A-919D-413861904646'],
    ['ada@example.com', undefined],
    ['2819c223-7f76-453a-919d-413861904646@x', undefined],
    ['ada', undefined],
    [undefined, undefined],
  ])('%s → %s', (value, logged) => expect(ownId(value)).toBe(logged));
});

test.each([
  [200, '2xx'],
  [304, '3xx'],
  [404, '4xx'],
  [503, '5xx'],
])('status %i is class %s', (status, klass) => expect(statusClassOf(status)).toBe(klass));
