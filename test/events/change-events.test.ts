import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { EVENT_SOURCE, toEntry, type ChangePublisher } from '../../lambda/events/publisher';
import { publishChanges } from '../../lambda/events/stream-handler';
import { silentLogger } from '../../lambda/http/log';
import type { ChangeEvent } from '../../lambda/store/change-records';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localClient } from '../../lib/local/dynamodb-local';
import { dynamoStores } from '../../lambda/handlers/services';
import { DynamoDirectoryData } from '../../lambda/store/directory-data';
import { ENTERPRISE, GROUP, PATCH_OP, startTestServer, USER_SCHEMA, userBody } from '../support/server';


/** Collects what would go to EventBridge; `acceptOnly` simulates EventBridge refusing entries from some index on. */
class RecordingPublisher implements ChangePublisher {
  readonly published: ChangeEvent[] = [];
  constructor(private readonly acceptOnly = Number.POSITIVE_INFINITY) {}
  async publish(events: readonly ChangeEvent[]): Promise<number> {
    const accepted = events.slice(0, Math.max(0, this.acceptOnly - this.published.length));
    this.published.push(...accepted);
    return accepted.length;
  }
}

/**
 * Change events from the stream records DynamoDB Local really produces: SCIM requests go
 * through the local endpoint, the table's stream is read with the DynamoDB Streams API, and the
 * records, shaped as Lambda delivers them, go through the publisher's handler.
 */
describe('change events from the DynamoDB Local stream', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let streams: DynamoDBStreamsClient;
  let streamArn: string;
  const iterators = new Map<string, string | undefined>();

  beforeAll(async () => {
    server = await startTestServer();
    const dynamo = localClient(server.table.endpoint);
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: server.table.tableName }));
    dynamo.destroy();
    streamArn = Table!.LatestStreamArn!;
    streams = new DynamoDBStreamsClient({ endpoint: server.table.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    streams.destroy();
    await server.stop();
  });

  /** Every record written since the last call, in shard order, as Lambda's event shape. */
  async function newRecords(): Promise<DynamoDBStreamEvent> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: _Record[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let iterator = iterators.get(shard.ShardId!);
      if (!iterators.has(shard.ShardId!)) {
        iterator = (
          await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))
        ).ShardIterator;
      }
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...(page.Records ?? []));
        iterator = page.NextShardIterator;
        if ((page.Records ?? []).length === 0) break;
      }
      iterators.set(shard.ShardId!, iterator);
    }
    const lambdaShaped = records.map((r) => ({
      ...r,
      eventSourceARN: streamArn,
      dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: Math.floor(r.dynamodb!.ApproximateCreationDateTime!.getTime() / 1000) },
    }));
    return { Records: lambdaShaped } as unknown as DynamoDBStreamEvent;
  }

  async function eventsOf(action: () => Promise<unknown>): Promise<ChangeEvent[]> {
    await newRecords(); // skip what came before
    await action();
    const publisher = new RecordingPublisher();
    const result = await publishChanges(await newRecords(), publisher, silentLogger);
    expect(result.batchItemFailures).toEqual([]);
    return publisher.published;
  }
  const brief = (events: ChangeEvent[]) =>
    events.map((e) => [e.resourceType, e.operation, e.changedAttributes, ...(e.memberId ? [e.memberId] : [])]);

  let userId: string;
  let otherId: string;
  let groupId: string;

  it('a user created: one event with its attributes and version 1; guards and counters yield none', async () => {
    const events = await eventsOf(async () => {
      const res = await server.scim('POST', '/Users', userBody('ada@example.com', { externalId: 'ext-ada' }));
      expect(res.status).toBe(201);
      userId = res.json.id;
    });
    expect(brief(events)).toEqual([['User', 'created', ['active', 'displayName', 'emails', 'externalId', 'name', 'userName']]]);
    expect(events[0]).toMatchObject({ id: userId, directoryId: 'default', version: 1, actor: { tokenId: 'local', name: 'local' }, requestId: expect.any(String) });
    expect(events[0].eventId).toMatch(/\S/);
    expect(Date.parse(events[0].at!)).not.toBeNaN();
  });

  it('a user patched: the changed attribute names, extension attributes qualified by their URN', async () => {
    const events = await eventsOf(async () => {
      const res = await server.scim('PATCH', `/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'name.givenName', value: 'Augusta' },
          { op: 'add', path: `${ENTERPRISE}:department`, value: 'Engines' },
        ],
      });
      expect(res.status).toBe(200);
    });
    expect(brief(events)).toEqual([['User', 'updated', ['name', `${ENTERPRISE}:department`]]]);
    expect(events[0].version).toBe(2);
  });

  it('a user replaced (PUT): updated, with what the new document changes', async () => {
    const events = await eventsOf(async () => {
      const body = userBody('ada@example.com', { externalId: 'ext-ada', active: false, displayName: 'Ada L.' });
      expect((await server.scim('PUT', `/Users/${userId}`, body)).status).toBe(200);
    });
    expect(brief(events)).toEqual([['User', 'updated', ['active', 'displayName', 'name', `${ENTERPRISE}:department`]]]);
  });

  it('a group created with a member: the group, then memberAdded for the user', async () => {
    otherId = (await server.scim('POST', '/Users', userBody('grace@example.com'))).json.id;
    const events = await eventsOf(async () => {
      const res = await server.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineers', members: [{ value: userId }] });
      expect(res.status).toBe(201);
      groupId = res.json.id;
    });
    expect(brief(events)).toEqual([
      ['Group', 'created', ['displayName']],
      ['Group', 'memberAdded', ['members'], userId],
    ]);
    expect(events.every((e) => e.id === groupId)).toBe(true);
  });

  it('a member added and one removed by PATCH: one event each, and no update for the version bump', async () => {
    const events = await eventsOf(async () => {
      const res = await server.scim('PATCH', `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'add', path: 'members', value: [{ value: otherId }] },
          { op: 'remove', path: `members[value eq "${userId}"]` },
        ],
      });
      expect([200, 204]).toContain(res.status);
    });
    expect(brief(events).sort()).toEqual(
      [
        ['Group', 'memberAdded', ['members'], otherId],
        ['Group', 'memberRemoved', ['members'], userId],
      ].sort(),
    );
  });

  it('a group renamed: updated with displayName only', async () => {
    const events = await eventsOf(async () => {
      const res = await server.scim('PATCH', `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Engine Room' }],
      });
      expect([200, 204]).toContain(res.status);
    });
    expect(brief(events)).toEqual([['Group', 'updated', ['displayName']]]);
  });

  it('a group deleted: one event, which ends its memberships too (no event per former member)', async () => {
    const events = await eventsOf(async () => expect((await server.scim('DELETE', `/Groups/${groupId}`)).status).toBe(204));
    expect(brief(events)).toEqual([['Group', 'deleted', []]]);
  });

  it('a user deleted: deleted, naming the token that deleted it', async () => {
    const events = await eventsOf(async () => expect((await server.scim('DELETE', `/Users/${userId}`)).status).toBe(204));
    expect(brief(events)).toEqual([['User', 'deleted', []]]);
    expect(events[0]).toMatchObject({ id: userId, actor: { tokenId: 'local', name: 'local' } });
  });

  it('150 members added in one PATCH (an intent of several transactions): 150 events, each once, each with the actor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 150; i += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, (_, j) => server.scim('POST', '/Users', userBody(`bulk-${i + j}@example.com`))));
      ids.push(...batch.map((r) => r.json.id as string));
    }
    const gid = (await server.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Big' })).json.id;
    const events = await eventsOf(async () =>
      expect((await server.scim('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] })).status).toBe(204),
    );
    expect(events.every((e) => e.operation === 'memberAdded' && e.id === gid && e.actor.name === 'local')).toBe(true);
    expect(events.map((e) => e.memberId).sort()).toEqual([...ids].sort());
    expect(new Set(events.map((e) => e.eventId)).size).toBe(150);
    expect(new Set(events.map((e) => e.auditEntryId)).size).toBe(1);
  });

  it('a user deleted while a member: deleted, and memberRemoved for each of its groups (one transaction)', async () => {
    const group = (await server.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Analysts', members: [{ value: otherId }] })).json.id;
    const events = await eventsOf(async () => expect((await server.scim('DELETE', `/Users/${otherId}`)).status).toBe(204));
    // The group's count changes too, but its document does not: no Group updated event.
    expect(brief(events).map((e) => JSON.stringify(e)).sort()).toEqual(
      [['Group', 'memberRemoved', ['members'], otherId], ['User', 'deleted', []]].map((e) => JSON.stringify(e)).sort(),
    );
    expect(events.find((e) => e.operation === 'memberRemoved')?.id).toBe(group);
  });

  it('each event names its directory and its actor; deleting a directory is one Directory deleted event', async () => {
    const now = new Date().toISOString();
    const contractors = dynamoStores({ client: server.table.client, tableName: server.table.tableName, directoryId: 'contractors' });
    const facts = (operation: 'create') => ({ at: now, operation, actor: { tokenId: 'tok-okta', name: 'okta-contractors' }, requestId: randomUUID(), directory: 'contractors', changes: [] });
    const created = await eventsOf(async () => {
      // The same userName as in the deployment's own directory: another user, in another directory.
      await contractors.users.create('c-ada', { document: { schemas: [USER_SCHEMA], userName: 'ada@example.com' }, uniqueValue: 'ada@example.com' }, now, facts('create'));
      await contractors.groups.create('c-team', { document: { schemas: [GROUP], displayName: 'Team' }, uniqueValue: 'Team' }, ['c-ada'], now, facts('create'));
    });
    expect(created.every((e) => e.actor.name === 'okta-contractors')).toBe(true);
    expect(created.map((e) => [e.directoryId, e.resourceType, e.operation, e.id])).toEqual([
      ['contractors', 'User', 'created', 'c-ada'],
      ['contractors', 'Group', 'created', 'c-team'],
      ['contractors', 'Group', 'memberAdded', 'c-team'],
    ]);
    const home = await eventsOf(() => server.scim('POST', '/Users', userBody('only-here@example.com')));
    expect(home.map((e) => e.directoryId)).toEqual(['default']);
    // As npm run directory -- delete does it: the deletion's record, then every item (that record too).
    const data = new DynamoDirectoryData(server.table.client, server.table.tableName);
    const deletion = { at: new Date().toISOString(), id: randomUUID(), actor: { tokenId: 'npm-run-directory', name: 'npm run directory' } };
    const deleted = await eventsOf(async () => {
      await data.announceDeletion('contractors', deletion);
      await data.purge('contractors');
    });
    expect(deleted).toEqual([
      {
        eventId: expect.any(String),
        directoryId: 'contractors',
        resourceType: 'Directory',
        id: 'contractors',
        operation: 'deleted',
        changedAttributes: [],
        at: deletion.at,
        actor: deletion.actor,
        requestId: deletion.id,
        auditEntryId: deletion.id,
      },
    ]);
    expect(await data.count('contractors')).toBe(0);
  });

  it('when EventBridge refuses an entry, the batch fails from that record on, so Lambda retries it', async () => {
    await newRecords();
    const ids: string[] = [];
    for (const name of ['x1', 'x2', 'x3']) ids.push((await server.scim('POST', '/Users', userBody(`${name}@example.com`))).json.id);
    const batch = await newRecords();
    const publisher = new RecordingPublisher(1);
    const result = await publishChanges(batch, publisher, silentLogger);
    expect(publisher.published.map((e) => e.id)).toEqual([ids[0]]);
    const second = batch.Records.find((r) => r.dynamodb?.Keys?.pk?.S === `default#AUDIT#${ids[1]}` && r.dynamodb?.Keys?.sk?.S?.startsWith('AUDIT#'));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: second!.dynamodb!.SequenceNumber }]);
  });

  it('a publisher that throws fails the batch from its first change', async () => {
    await newRecords();
    await server.scim('POST', '/Users', userBody('x4@example.com'));
    const batch = await newRecords();
    const failing: ChangePublisher = { publish: () => Promise.reject(new Error('EventBridge unavailable')) };
    const result = await publishChanges(batch, failing, silentLogger);
    const first = batch.Records.find((r) => r.dynamodb?.Keys?.sk?.S?.startsWith('AUDIT#'));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: first!.dynamodb!.SequenceNumber }]);
  });

  it('the EventBridge entry: source scim-endpoint, detail-type "<type> <operation>", detail the event', () => {
    const event: ChangeEvent = {
      eventId: 'e1',
      directoryId: 'default',
      resourceType: 'Group',
      id: 'g1',
      operation: 'memberAdded',
      changedAttributes: ['members'],
      memberId: 'u1',
      at: '2026-11-28T12:00:00.000Z',
      actor: { tokenId: 'tok-0123456789ab', name: 'okta-prod' },
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      auditEntryId: '5b0f3c3e-8f0e-4a4a-9d7e-2f0c0d6b1a11',
    };
    const entry = toEntry(event, 'bus');
    expect(entry).toEqual({
      EventBusName: 'bus',
      Source: EVENT_SOURCE,
      DetailType: 'Group memberAdded',
      Detail: JSON.stringify(event),
      Time: new Date('2026-11-28T12:00:00.000Z'),
    });
    // EventBridge's limit is 256 KB per entry; a change event carries names, never values.
    expect(Buffer.byteLength(entry.Detail!)).toBeLessThan(1024);
  });
});
