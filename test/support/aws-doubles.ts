import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stand-ins for the AWS APIs the token and directory CLIs call, speaking their wire protocols so
 * that the real SDK clients talk to them: Secrets Manager (JSON 1.1: GetSecretValue,
 * PutSecretValue), EventBridge (JSON 1.1: PutEvents), CloudFormation (query protocol:
 * DescribeStacks) and API Gateway (REST JSON: API keys and usage-plan keys). Neither service has a
 * local edition and these machines have no AWS access; the doubles keep what was written and
 * record every call, so a test can check what the CLI really sent.
 */
export interface AwsDoubles {
  readonly endpoint: string;
  /** Secret values by ARN (the AWSCURRENT version's). */
  readonly secrets: Map<string, string>;
  /** Stacks by name: their outputs. */
  readonly stacks: Map<string, Record<string, string>>;
  /** Entries EventBridge accepted. */
  readonly events: Array<Record<string, unknown>>;
  /** API Gateway's API keys by id, and each usage plan's keys. */
  readonly apiKeys: Map<string, { name: string; value: string; enabled: boolean }>;
  readonly planKeys: Map<string, Set<string>>;
  /** Operations received, e.g. "secretsmanager.PutSecretValue" or "cloudformation.DescribeStacks". */
  readonly calls: string[];
  close(): Promise<void>;
}

/**
 * Points this process's AWS SDK at the doubles, as the CLIs' users' standard credential chain
 * would point it at AWS: a region, example keys, no profile, and each service's endpoint
 * (AWS_ENDPOINT_URL_<SERVICE>; `dynamodb` may be DynamoDB Local). Returns what restores the
 * environment as it was.
 */
export function useAwsDoubles(aws: AwsDoubles, region = 'eu-west-1', dynamodb?: string): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret-example',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: aws.endpoint,
    AWS_ENDPOINT_URL_API_GATEWAY: aws.endpoint,
    ...(dynamodb ? { AWS_ENDPOINT_URL_DYNAMODB: dynamodb } : {}),
  });
  delete process.env.AWS_PROFILE;
  return () => {
    process.env = saved;
  };
}

export async function startAwsDoubles(): Promise<AwsDoubles> {
  const secrets = new Map<string, string>();
  // Every version ever written, as Secrets Manager keeps them: a version id names one value for good.
  const versions = new Map<string, { current: string; values: Map<string, string> }>();
  const versionsOf = (arn: string) => {
    const known = versions.get(arn);
    if (known && known.values.get(known.current) === secrets.get(arn)) return known;
    // Set directly by a test: that value is a version of its own.
    const fresh = { current: `initial-${versions.size}-${calls.length}`, values: new Map(known?.values ?? []) };
    fresh.values.set(fresh.current, secrets.get(arn) ?? '');
    versions.set(arn, fresh);
    return fresh;
  };
  const stacks = new Map<string, Record<string, string>>();
  const calls: string[] = [];
  const events: Array<Record<string, unknown>> = [];
  const apiKeys = new Map<string, { name: string; value: string; enabled: boolean }>();
  const planKeys = new Map<string, Set<string>>();
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const target = req.headers['x-amz-target'];
    const url = new URL(req.url ?? '/', 'http://aws');
    if (url.pathname.startsWith('/apikeys') || url.pathname.startsWith('/usageplans/')) {
      apiGateway(req.method ?? 'GET', url, body, res);
      return;
    }
    if (target === 'AWSEvents.PutEvents') {
      calls.push(target);
      const { Entries } = JSON.parse(body) as { Entries: Array<Record<string, unknown>> };
      events.push(...Entries);
      res.setHeader('Content-Type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify({ FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `event-${events.length + i}` })) }));
      return;
    }
    if (typeof target === 'string' && target.startsWith('secretsmanager.')) {
      calls.push(target);
      const input = JSON.parse(body) as { SecretId: string; SecretString?: string; ClientRequestToken?: string };
      const arn = [...secrets.keys()].find((a) => a === input.SecretId || a.includes(`:secret:${input.SecretId}`));
      res.setHeader('Content-Type', 'application/x-amz-json-1.1');
      if (!arn) {
        res.writeHead(400).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
        return;
      }
      if (target === 'secretsmanager.GetSecretValue') {
        const { current } = versionsOf(arn);
        res.end(JSON.stringify({ ARN: arn, Name: arn.split(':').pop(), SecretString: secrets.get(arn), VersionId: current }));
      } else if (target === 'secretsmanager.PutSecretValue') {
        const known = versionsOf(arn);
        const versionId = input.ClientRequestToken ?? `v${calls.length}`;
        const existing = known.values.get(versionId);
        if (existing !== undefined && existing !== input.SecretString) {
          // Secrets Manager's answer to a different value under an existing version id.
          res.writeHead(400).end(JSON.stringify({ __type: 'ResourceExistsException', message: `A resource with the ID you requested already exists.` }));
          return;
        }
        known.values.set(versionId, input.SecretString ?? '');
        known.current = versionId;
        secrets.set(arn, input.SecretString ?? '');
        res.end(JSON.stringify({ ARN: arn, Name: arn.split(':').pop(), VersionId: versionId, VersionStages: ['AWSCURRENT'] }));
      } else {
        res.writeHead(400).end(JSON.stringify({ __type: 'InvalidRequestException', message: `unsupported ${target}` }));
      }
      return;
    }
    const form = new URLSearchParams(body);
    calls.push(`cloudformation.${form.get('Action')}`);
    res.setHeader('Content-Type', 'text/xml');
    const name = form.get('StackName') ?? '';
    const outputs = stacks.get(name);
    if (form.get('Action') !== 'DescribeStacks' || !outputs) {
      res.writeHead(400).end(
        `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escape(name)} does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      );
      return;
    }
    const members = Object.entries(outputs)
      .map(([k, v]) => `<member><OutputKey>${escape(k)}</OutputKey><OutputValue>${escape(v)}</OutputValue></member>`)
      .join('');
    res.end(
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
        `<StackName>${escape(name)}</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-11-28T12:00:00Z</CreationTime>` +
        `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  });
  /** API Gateway's REST API for API keys and usage-plan keys (restJson1), as the directory CLI calls it. */
  function apiGateway(method: string, url: URL, body: string, res: import('node:http').ServerResponse) {
    const fail = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type }).end(JSON.stringify({ message }));
    };
    const ok = (status: number, value: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
    const plan = /^\/usageplans\/([^/]+)\/keys$/.exec(url.pathname);
    const key = /^\/apikeys\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && url.pathname === '/apikeys') {
      calls.push('apigateway.GetApiKeys');
      const name = url.searchParams.get('name') ?? '';
      const values = url.searchParams.get('includeValues') === 'true';
      const items = [...apiKeys].filter(([, k]) => k.name.startsWith(name)).map(([id, k]) => ({ id, name: k.name, enabled: k.enabled, ...(values ? { value: k.value } : {}) }));
      // API Gateway's wire name of a collection is "item" (the SDK names it items).
      return ok(200, { item: items });
    }
    if (method === 'POST' && url.pathname === '/apikeys') {
      calls.push('apigateway.CreateApiKey');
      const input = JSON.parse(body) as { name: string; value: string; enabled?: boolean };
      // API Gateway holds one key per value.
      if ([...apiKeys.values()].some((k) => k.value === input.value)) return fail(409, 'ConflictException', 'API Key already exists');
      const id = `key${apiKeys.size + 1}`;
      apiKeys.set(id, { name: input.name, value: input.value, enabled: input.enabled ?? false });
      return ok(201, { id, name: input.name, value: input.value, enabled: input.enabled ?? false });
    }
    if (method === 'POST' && plan) {
      calls.push('apigateway.CreateUsagePlanKey');
      const { keyId } = JSON.parse(body) as { keyId: string };
      if (!apiKeys.has(keyId)) return fail(404, 'NotFoundException', 'Invalid API Key identifier specified');
      const keys = planKeys.get(plan[1]) ?? new Set<string>();
      if (keys.has(keyId)) return fail(409, 'ConflictException', 'Usage Plan Key already exists');
      planKeys.set(plan[1], keys.add(keyId));
      return ok(201, { id: keyId, type: 'API_KEY' });
    }
    if (method === 'DELETE' && key) {
      calls.push('apigateway.DeleteApiKey');
      if (!apiKeys.delete(key[1])) return fail(404, 'NotFoundException', 'Invalid API Key identifier specified');
      for (const keys of planKeys.values()) keys.delete(key[1]);
      return res.writeHead(202).end();
    }
    return fail(400, 'BadRequestException', `unsupported ${method} ${url.pathname}`);
  }

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    secrets,
    stacks,
    events,
    apiKeys,
    planKeys,
    calls,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** The whole body of a request to a stand-in, as text. */
export function read(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => done(text));
    req.on('error', fail);
  });
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
