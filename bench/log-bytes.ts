/**
 * What the deployed handlers write to CloudWatch Logs per request: the Powertools log line and
 * the EMF metric lines (which CloudWatch bills as log ingestion, $0.50 per GB), measured by
 * invoking the handler modules in-process, as Lambda would, against DynamoDB Local. Lambda's
 * own START/END/REPORT lines and the API's access log come on top (docs/deploy.md).
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { hashToken } from '../lambda/http/auth';
import { ensureTable } from '../lib/local/dynamodb-local';
import { apiGatewayEvent, lambdaContext, STAGE_BASE_URL } from './lib/api-event';

export interface LogBytesRow {
  readonly operation: string;
  readonly requests: number;
  /** Bytes per request of log lines (one per request) and of EMF lines, and EMF lines per request. */
  readonly logBytes: number;
  readonly emfBytes: number;
  readonly emfLines: number;
}

export interface LogBytesResult {
  readonly rows: LogBytesRow[];
  /** The mix of docs/deploy.md's cost table: 70% reads, 30% writes. */
  readonly mixBytesPerRequest: number;
}

type Handler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export async function runLogBytes(endpoint: string, quick: boolean): Promise<LogBytesResult> {
  const tableName = `bench-logs-${randomBytes(4).toString('hex')}`;
  await ensureTable(endpoint, tableName);
  const token = randomBytes(16).toString('hex');
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    TOKEN_SECRET_ARN: `sha256:${hashToken(token)}`,
    SCIM_BASE_URL: STAGE_BASE_URL,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // As the stack sets them for a stack named ScimEndpoint.
    POWERTOOLS_SERVICE_NAME: 'ScimEndpoint-ScimEndpoint',
    POWERTOOLS_METRICS_NAMESPACE: 'ScimEndpoint',
  });
  const users = (await import('../lambda/handlers/users')).handler as Handler;
  const groups = (await import('../lambda/handlers/groups')).handler as Handler;
  // A function name as CloudFormation makes one (its length is in every log line).
  const functionName = 'ScimEndpoint-ScimEndpointUsersFunction6E8EE189-AbCdEfGhIjKl';

  let captured = { log: 0, emf: 0, emfLines: 0 };
  const write = process.stdout.write.bind(process.stdout);
  const invoke = async (handler: Handler, method: string, path: string, body?: unknown, query?: Record<string, string>) => {
    const search = query ? `?${new URLSearchParams(query)}` : '';
    const event = apiGatewayEvent(method, `${path}${search}`, token, randomBytes(16).toString('hex'), body);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        const bytes = Buffer.byteLength(line) + 1;
        if (line.includes('"_aws"')) {
          captured.emf += bytes;
          captured.emfLines += 1;
        } else captured.log += bytes;
      }
      return true;
    }) as typeof process.stdout.write;
    try {
      const result = await handler(event, lambdaContext(functionName, randomBytes(16).toString('hex')));
      return result.body ? JSON.parse(result.body) : undefined;
    } finally {
      process.stdout.write = write;
    }
  };
  const user = (i: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `log.bytes.${i}@example.com`, name: { givenName: 'Log', familyName: `Bytes ${i}` }, emails: [{ value: `log.bytes.${i}@example.com`, primary: true }] });
  // The first invocation of each handler pays the ColdStart metric: out of the figures.
  const first = await invoke(users, 'POST', '/Users', user('warm'));
  await invoke(groups, 'GET', '/Groups');

  const n = quick ? 5 : 20;
  const rows: LogBytesRow[] = [];
  const measure = async (operation: string, run: (i: number) => Promise<unknown>) => {
    captured = { log: 0, emf: 0, emfLines: 0 };
    for (let i = 0; i < n; i++) await run(i);
    rows.push({ operation, requests: n, logBytes: Math.round(captured.log / n), emfBytes: Math.round(captured.emf / n), emfLines: Math.round((captured.emfLines / n) * 10) / 10 });
  };
  const ids: string[] = [];
  await measure('create user (POST)', async (i) => ids.push((await invoke(users, 'POST', '/Users', user(String(i)))).id));
  await measure('get user', (i) => invoke(users, 'GET', `/Users/${ids[i]}`));
  await measure('filter userName eq', (i) => invoke(users, 'GET', '/Users', undefined, { filter: `userName eq "log.bytes.${i}@example.com"` }));
  await measure('PATCH user', (i) =>
    invoke(users, 'PATCH', `/Users/${ids[i]}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }),
  );
  const group = await invoke(groups, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'log-bytes', members: [{ value: first.id }] });
  await measure('group: add 1 member', (i) =>
    invoke(groups, 'PATCH', `/Groups/${group.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: ids[i] }] }] }),
  );
  await measure('list page (count=100)', () => invoke(users, 'GET', '/Users', undefined, { count: '100' }));
  await measure('get user, unknown id (404)', () => invoke(users, 'GET', '/Users/00000000-0000-4000-8000-000000000000'));
  await measure('delete user', (i) => invoke(users, 'DELETE', `/Users/${ids[i]}`));

  const perRequest = (name: string) => {
    const row = rows.find((r) => r.operation === name)!;
    return row.logBytes + row.emfBytes;
  };
  const reads = (perRequest('get user') + perRequest('filter userName eq')) / 2;
  const writes = (perRequest('create user (POST)') + perRequest('PATCH user') + perRequest('group: add 1 member') + perRequest('delete user')) / 4;
  return { rows, mixBytesPerRequest: Math.round(0.7 * reads + 0.3 * writes) };
}
