import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { MAX_RESOURCE_BYTES } from '../../lambda/store/resource-table';
import { MAX_GROUPS_PER_USER } from '../../lambda/store/memberships';
import { expectConsistent } from '../support/consistency';
import { GROUP, PATCH_OP, startTestServer, userBody } from '../support/server';
import { problemWith } from '../support/workload';

/**
 * Limits in bytes where DynamoDB's are (its 400 KB per item counts UTF-8 bytes): multi-byte
 * text near the limit, through every write that stores a document, never answers 5xx, and a
 * stored resource can always still join groups, be renamed and be deleted (docs/hardening.md).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
/** Characters of 1 to 4 UTF-8 bytes, each one UTF-16 code unit or a pair. */
const WIDTHS: Record<number, string> = { 1: 'a', 2: 'é', 3: '€', 4: '😀' };

const tally = { inputs: 0, stored: 0, refused: 0, serverErrors: 0 };

describe('byte-exact limits', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let groupId: string;
  beforeAll(async () => {
    server = await startTestServer();
    groupId = (await server.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Byte limits' })).json.id;
  });
  afterAll(async () => {
    process.stdout.write(`byte limits: seed ${SEED}, ${tally.inputs} inputs, ${tally.stored} stored, ${tally.refused} refused, ${tally.serverErrors} 5xx\n`);
    await expectConsistent(server.table.client, server.table.tableName);
    await server.stop();
  });

  /** Sends a request; a 5xx or a malformed answer fails the test at once. */
  const send = async (method: string, path: string, body?: unknown) => {
    tally.inputs++;
    const answer = await server.scim(method, path, body);
    if (answer.status >= 500) tally.serverErrors++;
    expect(problemWith(answer)).toBeUndefined();
    expect(answer.status).toBeLessThan(500);
    return answer;
  };

  /** A title of `bytes` UTF-8 bytes made of characters `width` bytes wide. */
  const title = (bytes: number, width: number) => WIDTHS[width].repeat(Math.floor(bytes / width));

  it('refuses 140,000 × "€" (420,000 bytes, 140,000 characters) with 413 on every write', async () => {
    const big = title(420_000, 3);
    const uid = (await send('POST', '/Users', userBody('small@example.com'))).json.id;
    const answers = [
      await send('POST', '/Users', userBody('euro@example.com', { title: big })),
      await send('PUT', `/Users/${uid}`, userBody('small@example.com', { title: big })),
      await send('PATCH', `/Users/${uid}`, patch({ op: 'replace', path: 'title', value: big })),
      await send('POST', '/Groups', { schemas: [GROUP], displayName: big.slice(0, 100_000) + ' group', externalId: big }),
    ];
    for (const a of answers) expect({ status: a.status, detail: a.json.detail }).toEqual({ status: 413, detail: expect.stringContaining(`${MAX_RESOURCE_BYTES} bytes`) });
  });

  it('answers 201 or 413 around the limit, and a stored user can still join, be renamed and deleted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -3_000, max: 3_000 }), fc.constantFrom(1, 2, 3, 4), fc.nat(999_999), async (offset, width, n) => {
        const userName = `near${n}-${width}-${offset}@example.com`;
        const body: Record<string, unknown> = userBody(userName, { title: '' });
        const room = MAX_RESOURCE_BYTES - Buffer.byteLength(JSON.stringify(body)) - Buffer.byteLength(userName);
        body.title = title(room + offset, width);
        const created = await send('POST', '/Users', body);
        expect([201, 409, 413]).toContain(created.status);
        if (created.status !== 201) {
          if (created.status === 413) tally.refused++;
          return;
        }
        tally.stored++;
        const uid = created.json.id;
        const joined = await send('PATCH', `/Groups/${groupId}`, patch({ op: 'add', path: 'members', value: [{ value: uid }] }));
        expect(joined.status).toBe(204);
        const renamed = await send('PATCH', `/Users/${uid}`, patch({ op: 'replace', path: 'userName', value: `r-${userName}` }));
        // Renaming onto a name one byte longer may cross the limit: then 413, the user as it was.
        expect([200, 413]).toContain(renamed.status);
        expect((await send('DELETE', `/Users/${uid}`)).status).toBe(204);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it(`a user at the limit can still be put in its ${MAX_GROUPS_PER_USER}th group, renamed and deleted`, async () => {
    const userName = 'full@example.com';
    const body: Record<string, unknown> = userBody(userName, { title: '' });
    body.title = title(MAX_RESOURCE_BYTES - Buffer.byteLength(JSON.stringify(body)) - Buffer.byteLength(userName) - 20, 4);
    const uid = (await send('POST', '/Users', body)).json.id;
    // As if it had joined 1,999 groups: ids in its memberOf (reads drop groups that do not exist).
    const ids = new Set(Array.from({ length: MAX_GROUPS_PER_USER - 1 }, () => randomUUID()));
    await server.table.client.send(
      new UpdateCommand({ TableName: server.table.tableName, Key: { pk: `default#USER#${uid}`, sk: 'USER' }, UpdateExpression: 'ADD memberOf :g', ExpressionAttributeValues: { ':g': ids } }),
    );
    expect((await send('PATCH', `/Groups/${groupId}`, patch({ op: 'add', path: 'members', value: [{ value: uid }] }))).status).toBe(204);
    expect((await send('PATCH', `/Users/${uid}`, patch({ op: 'replace', path: 'displayName', value: 'Still changeable' }))).status).toBe(200);
    expect((await send('PATCH', `/Groups/${groupId}`, patch({ op: 'remove', path: `members[value eq "${uid}"]` }))).status).toBe(204);
    await server.table.client.send(
      new UpdateCommand({ TableName: server.table.tableName, Key: { pk: `default#USER#${uid}`, sk: 'USER' }, UpdateExpression: 'DELETE memberOf :g', ExpressionAttributeValues: { ':g': ids } }),
    );
    expect((await send('DELETE', `/Users/${uid}`)).status).toBe(204);
  });

  it('a Bulk body near the 1 MiB request limit, of multi-byte text, answers 200 or 413 per operation, never 5xx', async () => {
    const operations = [310_000, 280_000, 310_000].map((bytes, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `b${i}`,
      data: userBody(`bulk${i}@example.com`, { title: title(bytes, 3) }),
    }));
    const answer = await send('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: operations });
    expect(answer.status).toBe(200);
    {
      const statuses = (answer.json.Operations as { status: string }[]).map((o) => Number(o.status));
      expect(statuses).toEqual([413, 201, 413]);
    }
  });
});
