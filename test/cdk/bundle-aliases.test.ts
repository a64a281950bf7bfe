import * as dynamodb from '@aws-sdk/client-dynamodb';
import { Sha256 as SdkSha256, Sha256Js } from '@smithy/core/checksum';
import { Sha256 } from '../../lambda/handlers/native-sha256';
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

  describe('@smithy/core/checksum (lambda/handlers/native-sha256.ts)', () => {
    const KEYS = [undefined, 'key', new TextEncoder().encode('k'.repeat(100)), new Uint8Array([1, 2, 3]).buffer];
    const DATA = ['', 'AWS4-HMAC-SHA256\n20261202T000000Z', new Uint8Array(1000).fill(7)];

    test.each(KEYS.map((key) => [key === undefined ? 'a hash' : `an HMAC, key ${Object.prototype.toString.call(key)}`, key]))(
      '%s: the digests of the SDK\'s Sha256 and of its JavaScript one',
      async (_, key) => {
        // Typed as the signer uses them: Sha256Js's own types take bytes only, its code strings too.
        for (const Hash of [SdkSha256, Sha256Js] as (new (key?: unknown) => Sha256)[]) {
          const ours = new Sha256(key);
          const theirs = new Hash(key);
          for (const data of DATA) {
            ours.update(data);
            theirs.update(data);
          }
          expect(await ours.digest()).toEqual(await theirs.digest());
        }
      },
    );

    test('a hash can be read, updated and read again, and reset; an HMAC is done once read', async () => {
      const hash = new Sha256();
      hash.update('a');
      const once = await hash.digest();
      hash.update('b');
      const reference = new SdkSha256();
      reference.update(new TextEncoder().encode('ab'));
      expect([once.length, await hash.digest()]).toEqual([32, await reference.digest()]);
      hash.reset();
      expect(await hash.digest()).toEqual(await new SdkSha256().digest());
      const hmac = new Sha256('key');
      await hmac.digest();
      expect(() => hmac.update('more')).toThrow(/already finished/);
    });
  });
});
