import * as dynamodb from '@aws-sdk/client-dynamodb';
import { EndpointCache } from '../../lambda/handlers/no-endpoint-cache';

/**
 * What the stand-ins of FUNCTION_BUNDLE.alias (lib/constructs/bundling.ts) rely on in the
 * pinned SDK, checked on the SDK itself so that an upgrade which breaks it fails here.
 */
describe('the bundles\' stand-ins for SDK modules', () => {
  describe('@aws-sdk/endpoint-cache (lambda/handlers/no-endpoint-cache.ts)', () => {
    const client = new dynamodb.DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    afterAll(() => client.destroy());

    test('no DynamoDB command adds the endpoint discovery middleware, the one reader and writer of the cache', () => {
      const commands = Object.entries(dynamodb).filter(([name]) => /^[A-Z]\w*Command$/.test(name));
      expect(commands.length).toBeGreaterThan(50);
      for (const [name, Command] of commands) {
        const command = new (Command as new (input: object) => dynamodb.GetItemCommand)({});
        command.resolveMiddleware(client.middlewareStack, client.config, {});
        const steps = client.middlewareStack.concat(command.middlewareStack).identify();
        expect(`${name}: ${steps.filter((step) => /discovery/i.test(step))}`).toBe(`${name}: `);
      }
    });

    test('the client creates the cache; empty, it finds nothing, and a write (discovery at work) throws', () => {
      expect((client.config as { endpointCache?: unknown }).endpointCache).toBeDefined();
      const cache = new EndpointCache(1000);
      expect([cache.getEndpoint('k'), cache.get('k'), cache.has('k')]).toEqual([undefined, undefined, false]);
      expect(() => cache.set('k', [{ Address: 'x', CachePeriodInMinutes: 1 }])).toThrow(/endpoint discovery is not bundled/);
    });
  });
});
