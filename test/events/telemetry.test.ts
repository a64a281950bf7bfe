import { hashToken } from '../../lambda/http/auth';
import { DIMENSIONS, METRICS } from '../../lambda/handlers/metric-names';
import { startAwsDoubles, type AwsDoubles } from '../support/aws-doubles';
import { captureOutput, loadDeployedHandlers } from '../support/deployed-handlers';
import { freshTable } from '../support/dynamo';
import { GROUP, PATCH_OP, USER_SCHEMA } from '../support/server';

/**
 * The deployed handlers' Powertools output, as Lambda would send it to CloudWatch: one log
 * line per request with the Lambda context, and EMF metrics (requests by operation and status
 * class, SCIM errors by scimType, DynamoDB calls and latency by operation, member changes,
 * token-cache refreshes), each under exactly the dimensions the dashboard reads. The token
 * secret is read from a Secrets Manager stand-in, as in AWS.
 */
const TOKEN = 'telemetry-token-0123456789abcdef';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:scim-tokens-AbCdEf';

type Emf = Record<string, any> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } };

/** The dimension set each metric is published under (besides `service`): what the dashboard's searches assume. */
const DIMENSION_SETS: Record<string, string[]> = {
  [METRICS.requests]: [DIMENSIONS.operation, DIMENSIONS.statusClass],
  [METRICS.latency]: [DIMENSIONS.operation, DIMENSIONS.statusClass],
  [METRICS.scimErrors]: [DIMENSIONS.scimType],
  [METRICS.dynamoCalls]: [DIMENSIONS.dynamoOperation],
  [METRICS.dynamoLatency]: [DIMENSIONS.dynamoOperation],
  [METRICS.membersAdded]: [],
  [METRICS.membersRemoved]: [],
  [METRICS.tokenCacheRefreshes]: [],
  ColdStart: ['function_name'],
};

describe('the deployed handlers publish Powertools logs and EMF metrics', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  let aws: AwsDoubles;
  let functions: ReturnType<typeof loadDeployedHandlers>;

  beforeAll(async () => {
    table = await freshTable('telemetry');
    aws = await startAwsDoubles();
    aws.secrets.set(SECRET_ARN, JSON.stringify({ tokens: [{ id: 't1', sha256: hashToken(TOKEN) }] }));
    functions = loadDeployedHandlers({
      endpoint: table.endpoint,
      tableName: table.tableName,
      token: TOKEN,
      env: { TOKEN_SECRET_ARN: SECRET_ARN, AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint },
    });
  });
  afterAll(async () => {
    functions.restore();
    table.client.destroy();
    await aws.close();
  });

  const emfOf = (lines: string[]): Emf[] => lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
  // JSON lines only: Node's own warnings (the SDK's on Node 20, once per process) are plain text.
  const logsOf = (lines: string[]) => lines.filter((l) => l.startsWith('{') && !l.includes('"_aws"')).map((l) => JSON.parse(l));

  test('a create: a log line with the Lambda context, Requests and Latency by operation and status class, DynamoDB calls', async () => {
    const { result, lines } = await captureOutput(() =>
      functions.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'telemetry.one@example.com' }),
    );
    expect(result.status).toBe(201);
    const [log, ...more] = logsOf(lines);
    expect(more).toEqual([]);
    expect(log).toMatchObject({ level: 'INFO', message: 'request', service: 'Test-Scim', route: 'Users', status: 201, function_name: 'test-function', cold_start: expect.any(Boolean) });
    expect(log.function_request_id).toBe(log.requestId);

    const emf = emfOf(lines);
    const request = emf.find((m) => m.Requests !== undefined)!;
    expect(request).toMatchObject({ service: 'Test-Scim', Operation: 'POST Users', StatusClass: '2xx', Requests: 1, Latency: expect.any(Number) });
    expect(request._aws.CloudWatchMetrics[0].Namespace).toBe('ScimEndpoint');
    const dynamo = emf.filter((m) => m.DynamoDBCalls !== undefined);
    expect(dynamo.map((m) => m.DynamoDBOperation)).toContain('TransactWriteItems');
    for (const m of dynamo) expect([m.DynamoDBLatency].flat()).toHaveLength(m.DynamoDBCalls);
    // The first request of the container read the token secret: one refresh.
    expect(emf.find((m) => m.TokenCacheRefreshes !== undefined)?.TokenCacheRefreshes).toBe(1);
    expect(aws.calls.filter((c) => c === 'secretsmanager.GetSecretValue')).toHaveLength(1);
  });

  test('the token cache: no refresh within its TTL; each read of the secret is counted, no more, no less', async () => {
    const reads = () => aws.calls.filter((c) => c === 'secretsmanager.GetSecretValue').length;
    const before = reads();
    const known = await captureOutput(() => functions.request('GET', '/Users'));
    expect(emfOf(known.lines).find((m) => m.TokenCacheRefreshes !== undefined)).toBeUndefined();
    // An unknown token may re-read the secret (at most every 10 s, lambda/http/secret-tokens.ts).
    const unknown = await captureOutput(() => functions.request('GET', '/Users', undefined, { Authorization: 'Bearer not-a-known-token-0000' }));
    expect(unknown.result.status).toBe(401);
    const counted = [...emfOf(known.lines), ...emfOf(unknown.lines)].reduce((n, m) => n + (m.TokenCacheRefreshes ?? 0), 0);
    expect(counted).toBe(reads() - before);
    expect(emfOf(unknown.lines).find((m) => m.ScimErrors !== undefined)).toMatchObject({ ScimType: 'none', ScimErrors: 1 });
    expect(emfOf(unknown.lines).find((m) => m.Requests !== undefined)).toMatchObject({ Operation: 'GET Users', StatusClass: '4xx' });
  });

  test('SCIM errors are counted by scimType; an unknown path by no route', async () => {
    const bad = await captureOutput(() => functions.request('GET', `/Users?filter=${encodeURIComponent('userName eq')}`));
    expect(bad.result.status).toBe(400);
    expect(emfOf(bad.lines).find((m) => m.ScimErrors !== undefined)).toMatchObject({ ScimType: 'invalidFilter', ScimErrors: 1 });
    const conflict = await captureOutput(() => functions.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'telemetry.one@example.com' }));
    expect(conflict.result.status).toBe(409);
    expect(emfOf(conflict.lines).find((m) => m.ScimErrors !== undefined)).toMatchObject({ ScimType: 'uniqueness' });
    const unknown = await captureOutput(() => functions.request('GET', '/Users/not/a/route'));
    expect(emfOf(unknown.lines).find((m) => m.Requests !== undefined)).toMatchObject({ Operation: 'unrouted', StatusClass: '4xx' });
    // A method no route takes on a known path: counted as unrouted too, so clients cannot mint operations.
    const wrongMethod = await captureOutput(() => functions.request('DELETE', '/Users'));
    expect(wrongMethod.result.status).toBe(405);
    expect(emfOf(wrongMethod.lines).find((m) => m.Requests !== undefined)).toMatchObject({ Operation: 'unrouted', StatusClass: '4xx' });
    expect(logsOf(wrongMethod.lines).find((l) => l.message === 'request')).toMatchObject({ route: 'Users', routed: false, status: 405 });
  });

  test('member changes: added on create and PATCH, removed on PATCH and DELETE of the group', async () => {
    const ids: string[] = [];
    for (const name of ['m1', 'm2', 'm3']) {
      ids.push((await functions.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: `telemetry.${name}@example.com` })).json.id);
    }
    const sum = (lines: string[], metric: string) => emfOf(lines).reduce((n, m) => n + (m[metric] ?? 0), 0);
    const created = await captureOutput(() => functions.request('POST', '/Groups', { schemas: [GROUP], displayName: 'Telemetry', members: [{ value: ids[0] }, { value: ids[1] }] }));
    expect(created.result.status).toBe(201);
    expect(sum(created.lines, METRICS.membersAdded)).toBe(2);
    const groupId = created.result.json.id;
    const patched = await captureOutput(() =>
      functions.request('PATCH', `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: ids[2] }] }, { op: 'remove', path: `members[value eq "${ids[0]}"]` }],
      }),
    );
    expect(patched.result.status).toBeLessThan(300);
    expect([sum(patched.lines, METRICS.membersAdded), sum(patched.lines, METRICS.membersRemoved)]).toEqual([1, 1]);
    const deleted = await captureOutput(() => functions.request('DELETE', `/Groups/${groupId}`));
    expect(deleted.result.status).toBe(204);
    expect(sum(deleted.lines, METRICS.membersRemoved)).toBe(2);
  });

  test('every metric goes out under the one dimension set the dashboard searches, in the endpoint\'s namespace', async () => {
    const { lines } = await captureOutput(async () => {
      await functions.request('GET', '/ServiceProviderConfig');
      await functions.request('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
    });
    const emf = emfOf(lines);
    expect(emf.length).toBeGreaterThan(2);
    for (const line of emf) {
      const [directive] = line._aws.CloudWatchMetrics;
      expect(directive.Namespace).toBe('ScimEndpoint');
      expect(directive.Dimensions).toHaveLength(1);
      for (const metric of directive.Metrics) {
        expect([metric.Name, directive.Dimensions[0]]).toEqual([metric.Name, ['service', ...DIMENSION_SETS[metric.Name]]]);
      }
    }
  });

  test('the log level comes from the environment: at WARN no request line, the metrics still go out', async () => {
    const quiet = loadDeployedHandlers({
      endpoint: table.endpoint,
      tableName: table.tableName,
      token: TOKEN,
      env: { TOKEN_SECRET_ARN: SECRET_ARN, AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint, AWS_LAMBDA_LOG_LEVEL: 'WARN' },
    });
    try {
      const { result, lines } = await captureOutput(() => quiet.request('GET', '/Users'));
      expect(result.status).toBe(200);
      expect(logsOf(lines).filter((l) => l.message === 'request')).toEqual([]);
      expect(emfOf(lines).find((m) => m.Requests !== undefined)).toMatchObject({ Operation: 'GET Users', StatusClass: '2xx' });
    } finally {
      quiet.restore();
    }
  });
});
