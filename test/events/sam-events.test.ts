import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { startAwsDoubles, type AwsDoubles } from '../support/aws-doubles';
import { freshTable } from '../support/dynamo';

/**
 * What `sam local invoke -t cdk.out/ScimEndpoint.template.json <Function> -e events/<x>.json
 * --env-vars events/env.json` does, in-process since Docker is not here: each handler module
 * as deployed, configured by events/env.json (only the DynamoDB Local endpoint and the table
 * name swapped for the test's), invoked with every event file, against DynamoDB Local.
 */
const EVENTS_DIR = join(__dirname, '..', '..', 'events');
const PLACEHOLDER_USER = '00000000-0000-4000-8000-000000000001';
const PLACEHOLDER_GROUP = '00000000-0000-4000-8000-000000000002';

const load = (name: string) => readFileSync(join(EVENTS_DIR, name), 'utf8');
type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

describe('events/ for sam local invoke, invoked in-process against DynamoDB Local', () => {
  const saved = { ...process.env };
  let table: Awaited<ReturnType<typeof freshTable>>;
  let aws: AwsDoubles;
  let users: ApiHandler;
  let groups: ApiHandler;
  let discovery: ApiHandler;
  let bulk: ApiHandler;
  let changeEvents: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  const ids = { user: '', group: '' };

  beforeAll(async () => {
    table = await freshTable('sam');
    aws = await startAwsDoubles();
    const env = JSON.parse(load('env.json')).Parameters as Record<string, string>;
    Object.assign(process.env, env, {
      DYNAMODB_ENDPOINT: table.endpoint,
      TABLE_NAME: table.tableName,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
    });
    jest.isolateModules(() => {
      users = require('../../lambda/handlers/users').handler;
      groups = require('../../lambda/handlers/groups').handler;
      discovery = require('../../lambda/handlers/discovery').handler;
      bulk = require('../../lambda/handlers/bulk').handler;
      changeEvents = require('../../lambda/handlers/change-events').handler;
    });
  });
  afterAll(async () => {
    process.env = saved;
    table.client.destroy();
    await aws.close();
  });

  /** Invokes `handler` with the event file, the placeholder ids replaced by the ones created. */
  async function invoke(handler: ApiHandler, file: string) {
    const text = load(file).split(PLACEHOLDER_USER).join(ids.user || PLACEHOLDER_USER).split(PLACEHOLDER_GROUP).join(ids.group || PLACEHOLDER_GROUP);
    const result = await handler(JSON.parse(text));
    return { status: result.statusCode, json: result.body ? JSON.parse(result.body) : undefined, headers: result.headers ?? {} };
  }

  // In the order a user runs them; the by-id files first as they are (placeholder ids: 404).
  const STEPS: Array<[file: string, fn: 'users' | 'groups' | 'discovery' | 'bulk', status: number[]]> = [
    ['discovery-service-provider-config.json', 'discovery', [200]],
    ['discovery-schemas.json', 'discovery', [200]],
    ['discovery-resource-types.json', 'discovery', [200]],
    ['bulk-create-user-and-group.json', 'bulk', [200]],
    ['users-no-token.json', 'users', [401]],
    ['users-get.json', 'users', [404]],
    ['groups-get.json', 'groups', [404]],
    ['users-create.json', 'users', [201]],
    ['users-list-filter.json', 'users', [200]],
    ['users-get.json', 'users', [200]],
    ['users-replace.json', 'users', [200]],
    ['users-patch-deactivate.json', 'users', [200, 204]],
    ['groups-create.json', 'groups', [201]],
    ['groups-list-filter.json', 'groups', [200]],
    ['groups-patch-add-member.json', 'groups', [200, 204]],
    ['groups-get.json', 'groups', [200]],
    ['groups-patch-remove-member.json', 'groups', [200, 204]],
    ['groups-replace.json', 'groups', [200]],
    ['groups-delete.json', 'groups', [204]],
    ['users-delete.json', 'users', [204]],
  ];

  test('every event file in events/ is invoked by this test', () => {
    const covered = new Set([...STEPS.map(([file]) => file), 'change-events-stream.json', 'env.json']);
    expect(readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.json')).sort()).toEqual([...covered].sort());
  });

  test.each(STEPS.map((step, i) => [i + 1, ...step] as const))('%i. %s → %s function answers %j', async (_i, file, fn, statuses) => {
    const response = await invoke({ users, groups, discovery, bulk }[fn], file);
    expect(statuses).toContain(response.status);
    if (response.status !== 204) expect(response.headers['Content-Type'] ?? response.headers['content-type']).toMatch(/application\/scim\+json/);
    if (response.status >= 400) {
      expect(response.json.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      expect(JSON.stringify(response.json)).not.toContain('sam-local-token');
    }
    if (file === 'discovery-service-provider-config.json') expect(response.json.patch).toEqual({ supported: true });
    if (file === 'discovery-schemas.json') expect(response.json.totalResults).toBe(3);
    if (file === 'discovery-resource-types.json') expect(response.json.Resources.map((r: { id: string }) => r.id).sort()).toEqual(['Group', 'User']);
    if (file === 'bulk-create-user-and-group.json') expect(response.json.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201']);
    if (file === 'users-create.json') ids.user = response.json.id;
    if (file === 'groups-create.json') ids.group = response.json.id;
    if (file.endsWith('list-filter.json')) expect(response.json.totalResults).toBe(1);
    if (file === 'groups-get.json' && response.status === 200) expect(response.json.members).toEqual([expect.objectContaining({ value: ids.user })]);
    if (file === 'users-patch-deactivate.json' && response.status === 200) expect(response.json.active).toBe(false);
  });

  test('a forged Host, X-Forwarded-Proto and requestContext.domainName cannot change Location: it is SCIM_BASE_URL', async () => {
    const event = JSON.parse(load('users-create.json'));
    event.headers = { ...event.headers, Host: 'evil.example', 'X-Forwarded-Proto': 'http', 'X-Forwarded-Host': 'evil.example' };
    event.requestContext = { ...event.requestContext, domainName: 'evil.example' };
    event.body = event.body.replace(/"userName":\s*"[^"]*"/, '"userName":"forged-host@example.com"');
    const result = await users(event);
    const created = JSON.parse(result.body);
    expect(result.statusCode).toBe(201);
    const baseUrl = JSON.parse(load('env.json')).Parameters.SCIM_BASE_URL;
    expect(result.headers!.Location).toBe(`${baseUrl}/Users/${created.id}`);
    expect(created.meta.location).toBe(`${baseUrl}/Users/${created.id}`);
    expect(result.body).not.toContain('evil.example');
  });

  test('Secrets Manager unreachable: the deployed handler answers 503 with Retry-After, never a 500', async () => {
    const closed = await new Promise<number>((done) => {
      const probe = require('node:net').createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => done(port));
      });
    });
    const before = { ...process.env };
    let handler: ApiHandler | undefined;
    Object.assign(process.env, {
      TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:scim-endpoint-tokens-AbCdEf',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${closed}`,
      AWS_MAX_ATTEMPTS: '1',
    });
    try {
      jest.isolateModules(() => {
        handler = require('../../lambda/handlers/users').handler;
      });
      const response = await invoke(handler!, 'users-list-filter.json');
      expect(response.status).toBe(503);
      expect(response.headers['Retry-After']).toMatch(/^\d+$/);
      expect(response.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
      expect(JSON.stringify(response.json)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|secret:/);
    } finally {
      process.env = before;
    }
  });

  test('each request logs one JSON line with its request id and route, its metrics in EMF, and never the token', async () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await invoke(users, 'users-list-filter.json');
      await invoke(users, 'users-no-token.json');
    } finally {
      spy.mockRestore();
    }
    const all = lines.join('').trim().split('\n').map((line) => JSON.parse(line));
    const logged = all.filter((line) => line._aws === undefined);
    expect(logged).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'request', requestId: 'sam-local-get-users', method: 'GET', route: 'Users', status: 200 }),
      expect.objectContaining({ level: 'INFO', message: 'request', requestId: 'sam-local-get-users', route: 'Users', status: 401 }),
    ]);
    // Powertools' EMF lines: one per dimension set, CloudWatch metrics without a PutMetricData call.
    const emf = all.filter((line) => line._aws !== undefined);
    expect(emf).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Operation: 'GET Users', StatusClass: '2xx', Requests: 1 }),
        expect.objectContaining({ Operation: 'GET Users', StatusClass: '4xx', Requests: 1 }),
        expect.objectContaining({ ScimType: 'none', ScimErrors: 1 }),
        expect.objectContaining({ DynamoDBOperation: expect.any(String), DynamoDBCalls: expect.any(Number) }),
      ]),
    );
    const token = JSON.parse(load('users-list-filter.json')).headers.Authorization.slice('Bearer '.length);
    expect(lines.join('')).not.toContain(token);
    expect(lines.join('')).not.toContain(JSON.parse(load('env.json')).Parameters.TOKEN_SECRET_ARN.slice('sha256:'.length));
  });

  test('change-events-stream.json → the change-event publisher puts a "User created" and a "Group memberAdded" event', async () => {
    const result = await changeEvents(JSON.parse(load('change-events-stream.json')));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(aws.events.map((e) => [e.Source, e.DetailType, e.EventBusName])).toEqual([
      ['scim-endpoint', 'User created', 'default'],
      ['scim-endpoint', 'Group memberAdded', 'default'],
    ]);
    expect(JSON.parse(String(aws.events[1].Detail))).toMatchObject({ id: PLACEHOLDER_GROUP, memberId: PLACEHOLDER_USER, operation: 'memberAdded' });
  });
});
