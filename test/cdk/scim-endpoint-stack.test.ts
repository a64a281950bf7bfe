import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { build } from 'esbuild';
import { DIRECTORY_BASE_PATH, FUNCTION_ROUTES, SCIM_BASE_PATH } from '../../lambda/handlers/routes';
import { hashToken } from '../../lambda/http/auth';
import { createTableInput, INDEXES } from '../../lambda/store/table';
import { esbuildOptions, EXCLUDED_FROM_BUNDLES, FUNCTION_BUNDLE } from '../../lib/constructs/bundling';
import { ScimEndpoint, type ScimEndpointProps } from '../../lib/constructs/scim-endpoint';
import { ScimEndpointStack, stackPropsFromContext } from '../../lib/scim-endpoint-stack';
import { startRecordingStandIn } from '../support/recording-stand-in';
import { checkSigV4 } from '../support/sigv4';
import { awsSolutionsFindings, nagAcknowledgments } from './aws-solutions-checks';

const execFileAsync = promisify(execFile);

/** The stack as `cdk synth` builds it: cdk.json's context (feature flags, defaults) and real esbuild bundles. */
const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** Module-load budget proxy: a function bundle (SDK v3 included) must stay below this size. */
const MAX_BUNDLE_BYTES = 1024 * 1024;

const BANNER = FUNCTION_BUNDLE.banner;
/** Written by lambda/handlers/env-credentials.ts, which stands in for the default credential chain. */
const CREDENTIALS_FROM_ENVIRONMENT = 'a function bundle reads only these';
/** Strings of the default chain (@aws-sdk/credential-provider-node) and its SSO/STS clients (@aws-sdk/nested-clients). */
const DEFAULT_CHAIN_MARKERS = ['defaultProvider::fromSSO', 'AssumeRoleWithWebIdentity', 'GetRoleCredentials', 'credential-provider-ini'];

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

let outdir: string;
let stack: ScimEndpointStack;
let template: Template;
let resources: Record<string, Resource>;

const logicalId = (construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const ofType = (type: string): Array<[string, Resource]> => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every file of a bundle directory, relative to it, sorted. */
function bundleFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((name) => fs.statSync(path.join(dir, name)).isFile()).sort();
}

/** Every IAM statement in the template: policies and roles' inline policies. */
function allStatements(): Statement[] {
  const fromPolicies = ofType('AWS::IAM::Policy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
  const fromRoles = ofType('AWS::IAM::Role').flatMap(([, r]) =>
    (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement),
  );
  return [...fromPolicies, ...fromRoles];
}

/** Full path (e.g. `/scim/v2/Users/{proxy+}`) of each API Gateway resource, by logical id. */
function apiResourcePaths(): Map<string, string> {
  const byId = new Map(ofType('AWS::ApiGateway::Resource'));
  const pathOf = (id: string): string => {
    const { ParentId, PathPart } = byId.get(id)!.Properties;
    return `${ParentId.Ref ? pathOf(ParentId.Ref) : ''}/${PathPart}`;
  };
  return new Map([...byId.keys()].map((id) => [id, pathOf(id)]));
}

/** The paths a route owns, below the API root: at the deployment's own Base URL and at every other directory's. */
const routePaths = (route: (typeof FUNCTION_ROUTES)[number]): string[] =>
  [SCIM_BASE_PATH, DIRECTORY_BASE_PATH].flatMap((base) =>
    route.resources.flatMap((name) => {
      const own = `${base}/${name}`;
      return route.withChildren ? [own, `${own}/{proxy+}`] : [own];
    }),
  );

describe('the stack as cdk synth builds it', () => {
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-cdk-'));
    const app = new App({ outdir, context: CDK_JSON.context });
    stack = new ScimEndpointStack(app, 'ScimEndpointStack', {
      ...stackPropsFromContext(app),
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
  });

  afterAll(() => {
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  });

  describe('table', () => {
    test('key schema, attributes, indexes and stream equal lambda/store/table.ts', () => {
      const expected = createTableInput('unused');
      const [[, table], ...others] = ofType('AWS::DynamoDB::Table');
      expect(others).toHaveLength(0);
      const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
        String(a.AttributeName).localeCompare(String(b.AttributeName));
      const byIndex = (a: { IndexName?: string }, b: { IndexName?: string }) =>
        String(a.IndexName).localeCompare(String(b.IndexName));

      expect(table.Properties.KeySchema).toEqual(expected.KeySchema);
      expect([...table.Properties.AttributeDefinitions].sort(byName)).toEqual([...expected.AttributeDefinitions!].sort(byName));
      expect([...table.Properties.GlobalSecondaryIndexes].sort(byIndex)).toEqual(
        [...expected.GlobalSecondaryIndexes!].sort(byIndex),
      );
      expect(table.Properties.BillingMode).toBe(expected.BillingMode);
      expect(table.Properties.StreamSpecification).toEqual({
        StreamViewType: expected.StreamSpecification!.StreamViewType,
      });
    });

    test('is on demand, with point-in-time recovery and AWS-managed encryption', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    });

    test('audit entries expire by DynamoDB TTL on their own attribute (auditRetentionDays, default 400, in each table function)', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } });
      expect(FUNCTION_ROUTES.filter((r) => r.tableAccess === 'read').map((r) => r.id)).toEqual(['Audit']);
    });

    test('table and token secret survive stack deletion and replacement', () => {
      for (const type of ['AWS::DynamoDB::Table', 'AWS::SecretsManager::Secret']) {
        const found = ofType(type);
        expect(found).toHaveLength(1);
        expect(found[0][1]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    });
  });

  describe('token secret', () => {
    test('starts as an empty token list and generates nothing', () => {
      const secret = resources[logicalId(stack.endpoint.tokenSecret)];
      expect(JSON.parse(secret.Properties.SecretString)).toEqual({ tokens: [] });
      expect(secret.Properties.GenerateSecretString).toBeUndefined();
    });
  });

  describe('functions', () => {
    test('one function per route, the edge authorizer and the daily token check, no other function', () => {
      expect(ofType('AWS::Lambda::Function').map(([id]) => id).sort()).toEqual(
        [
          ...FUNCTION_ROUTES.map((route) => logicalId(stack.endpoint.functions[route.id])),
          logicalId(stack.endpoint.edgeAuth.fn.fn),
          logicalId(stack.endpoint.tokenAlarms.checker.fn),
        ].sort(),
      );
    });

    test.each(FUNCTION_ROUTES.map((route) => [route.id]))('%s: Node.js 22 on arm64, 512 MB, 28 s, ESM handler', (id) => {
      expect(resources[logicalId(stack.endpoint.functions[id])].Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 28,
        Handler: 'index.handler',
      });
    });

    test.each(FUNCTION_ROUTES.map((route) => [route.id, route.usesTable ?? true]))(
      '%s: environment is exactly table (when it uses one), secret, directory, an empty DynamoDB endpoint and Powertools\' settings',
      (id, usesTable) => {
      const env = resources[logicalId(stack.endpoint.functions[id])].Properties.Environment.Variables;
      expect(env).toEqual({
        ...(usesTable ? { TABLE_NAME: ref(stack.endpoint.table), AUDIT_RETENTION_DAYS: '400' } : {}),
        DIRECTORY_ID: 'default',
        TOKEN_SECRET_ARN: ref(stack.endpoint.tokenSecret),
        SCIM_BASE_URL: template.toJSON().Outputs.ScimBaseUrl.Value,
        DYNAMODB_ENDPOINT: '',
        // One `service` per endpoint: the stack's name and the construct's id.
        POWERTOOLS_SERVICE_NAME: 'ScimEndpoint-ScimEndpoint',
        POWERTOOLS_METRICS_NAMESPACE: 'ScimEndpoint',
        POWERTOOLS_TRACE_ENABLED: 'false',
      });
    });

    test('Discovery is the one function without the table', () => {
      expect(FUNCTION_ROUTES.filter((r) => r.usesTable === false).map((r) => r.id)).toEqual(['Discovery']);
    });

    test.each(FUNCTION_ROUTES.map((route) => [route.id]))('%s: logs JSON at INFO to its own log group, kept one month; no tracing', (id) => {
      const logGroupId = logicalId(stack.endpoint.logGroups[id]);
      const properties = resources[logicalId(stack.endpoint.functions[id])].Properties;
      expect(properties.LoggingConfig).toEqual({
        LogFormat: 'JSON',
        // Lambda passes it on as AWS_LAMBDA_LOG_LEVEL, which the Powertools Logger follows.
        ApplicationLogLevel: 'INFO',
        LogGroup: { Ref: logGroupId },
      });
      expect(properties.TracingConfig).toBeUndefined();
      expect(resources[logGroupId].Properties.RetentionInDays).toBe(30);
    });
  });

  describe('bundles', () => {
    const bundleOf = (id: string): string => {
      const key: string = resources[logicalId(stack.endpoint.functions[id])].Properties.Code.S3Key;
      return path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    };

    test.each(FUNCTION_ROUTES.map((route) => [route.id]))('%s: one minified ESM entry and its lazily loaded chunks, no source map, under budget', (id) => {
      const dir = bundleOf(id);
      expect(fs.readdirSync(dir).sort()).toEqual(['chunks', 'index.mjs']);
      for (const chunk of fs.readdirSync(path.join(dir, 'chunks'))) expect(chunk).toMatch(/\.mjs$/);
      const code = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith(BANNER)).toBe(true);
      expect(code).not.toMatch(/sourceMappingURL/);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      // Minified: a handful of lines however large the bundle (an unminified one has one per statement).
      expect(code.split('\n').length).toBeLessThanOrEqual(10 + code.length / 2000);
      expect(Buffer.byteLength(code)).toBeLessThan(MAX_BUNDLE_BYTES);
    });

    test.each(FUNCTION_ROUTES.map((route) => [route.id]))(
      '%s: loads as ESM in a fresh Node process with no node_modules, exporting handler',
      (id) => {
        const file = path.join(bundleOf(id), 'index.mjs');
        const variables: Record<string, unknown> = resources[logicalId(stack.endpoint.functions[id])].Properties.Environment.Variables;
        const env = Object.fromEntries(
          Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : `placeholder-${name}`]),
        );
        const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(typeof m.handler);`;
        const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
          cwd: outdir,
          env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...env },
          timeout: 20_000,
        stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8',
        });
        expect(out).toBe('function');
      },
    );

    test.each(FUNCTION_ROUTES.map((route) => [route.id]))(
      '%s: no default credential chain, the environment-variable provider in its place',
      (id) => {
        const code = fs.readFileSync(path.join(bundleOf(id), 'index.mjs'), 'utf8');
        expect(code).toContain(CREDENTIALS_FROM_ENVIRONMENT);
        for (const marker of DEFAULT_CHAIN_MARKERS) expect(code).not.toContain(marker);
      },
    );

    test.each(FUNCTION_ROUTES.map((route) => [route.id, route.entry]))(
      '%s: esbuildOptions() (the benchmark\'s and the package\'s build) gives the deployed bundle byte for byte, with nothing the aliases replace among its inputs',
      async (id, entry) => {
        const { outputFiles, metafile } = await build({ ...esbuildOptions(entry, outdir), write: false, metafile: true });
        const built = Object.fromEntries(outputFiles.map((file) => [path.relative(outdir, file.path), file.text]));
        expect(Object.keys(built).sort()).toEqual(bundleFiles(bundleOf(id)));
        for (const [name, text] of Object.entries(built)) expect(`${name}: ${text === fs.readFileSync(path.join(bundleOf(id), name), 'utf8')}`).toBe(`${name}: true`);
        expect(Object.keys(metafile.inputs).filter((input) => EXCLUDED_FROM_BUNDLES.some((re) => re.test(input)))).toEqual([]);
      },
    );

    test('each function has a bundle of its own (distinct assets)', () => {
      const keys = FUNCTION_ROUTES.map((route) => resources[logicalId(stack.endpoint.functions[route.id])].Properties.Code.S3Key);
      expect(new Set(keys).size).toBe(FUNCTION_ROUTES.length);
    });

    test.each(FUNCTION_ROUTES.map((route) => [route.id]))('%s: the X-Ray SDK is in a chunk of its own, not in the entry a cold start loads', (id) => {
      const entry = fs.readFileSync(path.join(bundleOf(id), 'index.mjs'), 'utf8');
      const chunks = bundleFiles(bundleOf(id)).filter((name) => name !== 'index.mjs');
      // Strings of aws-xray-sdk-core, which only the Tracer (lambda/handlers/tracing.ts) imports.
      const XRAY = 'AWS_XRAY_CONTEXT_MISSING';
      expect(entry).not.toContain(XRAY);
      expect(chunks.filter((name) => fs.readFileSync(path.join(bundleOf(id), name), 'utf8').includes(XRAY))).toHaveLength(1);
    });

    /**
     * Store code by a name minifying keeps (a method, a query string), and a bundle that has it.
     * lambda/handlers/services.ts gives each service the store code it calls, no more.
     */
    const STORE_CODE: Record<string, { marker: string; in: string }> = {
      'group writes': { marker: 'readForChange', in: 'Groups' },
      'user writes': { marker: 'leaveEntries', in: 'Users' },
      'audit trail reads': { marker: 'attribute_not_exists(#step)', in: 'Audit' },
    };
    const LEFT_OUT: Record<string, string[]> = {
      Users: ['group writes', 'audit trail reads'],
      Groups: ['user writes', 'audit trail reads'],
      Bulk: ['audit trail reads'],
    };

    test.each(Object.entries(LEFT_OUT))('%s: none of the store code its service never calls', (id, leftOut) => {
      const code = (bundle: string) => fs.readFileSync(path.join(bundleOf(bundle), 'index.mjs'), 'utf8');
      for (const what of leftOut) {
        const { marker, in: where } = STORE_CODE[what];
        expect(`${what} in ${where}: ${code(where).includes(marker)}`).toBe(`${what} in ${where}: true`);
        expect(`${what} in ${id}: ${code(id).includes(marker)}`).toBe(`${what} in ${id}: false`);
      }
    });

    describe('Users, run from its bundle in a fresh Node process against a recording AWS stand-in', () => {
      const TOKEN = 'bundle-test-token-0123456789abcdef';
      const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'ASIAEXECUTIONROLE01', AWS_SECRET_ACCESS_KEY: 'execution-role-secret', AWS_SESSION_TOKEN: 'execution-role-session' };
      let standIn: Awaited<ReturnType<typeof startRecordingStandIn>>;
      beforeAll(async () => {
        standIn = await startRecordingStandIn(JSON.stringify({ tokens: [{ id: 't', sha256: hashToken(TOKEN) }] }));
      });
      afterAll(() => standIn.close());
      beforeEach(() => standIn.requests.splice(0));

      /** GET /Users/<id> through the deployed handler, with Lambda's variables but `credentials`. */
      async function getUser(credentials: Partial<typeof CREDENTIALS>) {
        const event = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'events', 'users-get.json'), 'utf8'));
        event.headers.Authorization = `Bearer ${TOKEN}`;
        const file = pathToFileURL(path.join(bundleOf('Users'), 'index.mjs')).href;
        const script = `const m = await import(${JSON.stringify(file)}); const r = await m.handler(${JSON.stringify(event)}); process.stdout.write('\\n' + JSON.stringify(r));`;
        const { stdout, stderr } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
          cwd: outdir,
          env: {
            PATH: process.env.PATH,
            HOME: outdir,
            AWS_REGION: 'eu-west-1',
            TABLE_NAME: 'scim-endpoint',
            TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:scim-endpoint-tokens-AbCdEf',
            SCIM_BASE_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/scim/v2',
            // Both clients' endpoint (the SDK's AWS_ENDPOINT_URL setting): the stand-in instead of AWS.
            AWS_ENDPOINT_URL: standIn.endpoint,
            ...credentials,
          },
          timeout: 20_000,
          encoding: 'utf8',
        });
        return { result: JSON.parse(stdout.split('\n').pop()!) as { statusCode: number }, logs: stdout + stderr };
      }

      test('signs its Secrets Manager and DynamoDB requests with the credentials Lambda puts in the environment', async () => {
        const { result } = await getUser(CREDENTIALS);
        expect(result.statusCode).toBe(404);
        const targets = standIn.requests.map((r) => String(r.headers['x-amz-target']).split('.')[0]);
        expect(targets).toContain('secretsmanager');
        expect(targets).toContain('DynamoDB_20120810');
        for (const request of standIn.requests) {
          expect(checkSigV4(request, CREDENTIALS.AWS_SECRET_ACCESS_KEY)).toMatchObject({ accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, valid: true });
          expect(checkSigV4(request, 'another-secret')?.valid).toBe(false);
          expect(request.headers['x-amz-security-token']).toBe(CREDENTIALS.AWS_SESSION_TOKEN);
        }
      });

      test('without credentials in the environment: a bare 500, nothing sent, and a log naming the variables', async () => {
        const { result, logs } = await getUser({});
        expect(result.statusCode).toBe(500);
        expect(standIn.requests).toHaveLength(0);
        expect(logs).toContain('AWS_ACCESS_KEY_ID');
      });
    });
  });

  describe('API', () => {
    test('a regional REST API named scim-endpoint, execute-api endpoint kept', () => {
      template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Name: 'scim-endpoint',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        DisableExecuteApiEndpoint: false,
      });
      // The account-level CloudWatch role access logging needs, kept on stack deletion.
      const [[, account], ...more] = ofType('AWS::ApiGateway::Account');
      expect(more).toHaveLength(0);
      expect(account.DeletionPolicy).toBe('Retain');
    });

    test('stage v1 throttled at 200 requests/s with bursts of 400: above the directory\'s usage plan (50/100)', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'v1',
        MethodSettings: [{ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 }],
      });
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 50, BurstLimit: 100 } });
    });

    test.each(FUNCTION_ROUTES.map((route) => [route.id, route]))(
      '%s: every path it owns has ANY, behind the edge authorizer and its usage key, proxied to its function',
      (_id, route) => {
        const fnArn = JSON.stringify(arnOf(stack.endpoint.functions[route.id]));
        const paths = apiResourcePaths();
        const methods = ofType('AWS::ApiGateway::Method');
        for (const routePath of routePaths(route)) {
          const resourceId = [...paths].find(([, p]) => p === routePath)?.[0];
          expect(resourceId).toBeDefined();
          const onPath = methods.filter(([, m]) => m.Properties.ResourceId.Ref === resourceId);
          expect(onPath).toHaveLength(1);
          const method = onPath[0][1].Properties;
          expect(method).toMatchObject({
            HttpMethod: 'ANY',
            AuthorizationType: 'CUSTOM',
            AuthorizerId: { Ref: logicalId(stack.endpoint.edgeAuth.authorizer) },
            ApiKeyRequired: true,
            Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
          });
          expect(JSON.stringify(method.Integration.Uri)).toContain(fnArn);
        }
        // API Gateway may invoke the function once per method, and nothing else may.
        const permissions = ofType('AWS::Lambda::Permission').filter(
          ([, p]) => JSON.stringify(p.Properties.FunctionName) === fnArn,
        );
        expect(permissions).toHaveLength(routePaths(route).length);
        for (const [, permission] of permissions) {
          expect(permission.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
        }
      },
    );

    test('no method beyond the routes', () => {
      const expected = FUNCTION_ROUTES.reduce((n, route) => n + routePaths(route).length, 0);
      template.resourceCountIs('AWS::ApiGateway::Method', expected);
    });

    test('a path no route owns gets a SCIM 404 error, not API Gateway 403', () => {
      const [[, response]] = ofType('AWS::ApiGateway::GatewayResponse').filter(
        ([, r]) => r.Properties.ResponseType === 'MISSING_AUTHENTICATION_TOKEN',
      );
      expect(response.Properties.StatusCode).toBe('404');
      expect(response.Properties.ResponseParameters).toEqual({
        'gatewayresponse.header.Content-Type': "'application/scim+json'",
      });
      const body = JSON.parse(response.Properties.ResponseTemplates['application/json']);
      expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    });
  });

  describe('IAM least privilege', () => {
    test('no wildcard action, no "*" resource, no managed policy', () => {
      const statements = allStatements();
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        for (const action of asArray(statement.Action)) expect(action).not.toContain('*');
        for (const resource of asArray(statement.Resource)) expect(resource).not.toBe('*');
      }
      for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });

    test.each(FUNCTION_ROUTES.map((route) => [route.id, route.usesTable ?? true, route.tableAccess ?? 'readWrite']))(
      '%s: its role may use the table and its indexes (when it uses one; only Query for the audit reader), read the token secret and write its log group, nothing else',
      (id, usesTable, access) => {
        const fn = stack.endpoint.functions[id];
        const roleId = resources[logicalId(fn)].Properties.Role['Fn::GetAtt'][0];
        const statements = [
          ...(resources[roleId].Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement),
          ...ofType('AWS::IAM::Policy')
            .filter(([, p]) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
            .flatMap(([, p]) => p.Properties.PolicyDocument.Statement),
        ];
        const tableArn = arnOf(stack.endpoint.table);
        const normalised = statements.map((s: Statement) => ({
          Effect: s.Effect,
          Action: asArray(s.Action).sort(),
          Resource: asArray(s.Resource),
        }));
        expect(normalised).toHaveLength(usesTable ? 3 : 2);
        expect(normalised.some((st) => st.Action.some((a: string) => a.startsWith('dynamodb:')))).toBe(usesTable);
        expect(normalised).toEqual(
          expect.arrayContaining([
            ...(usesTable ? [{
              Effect: 'Allow',
              Action: access === 'read' ? ['dynamodb:Query'] : [
                'dynamodb:BatchGetItem',
                'dynamodb:BatchWriteItem',
                'dynamodb:ConditionCheckItem',
                'dynamodb:DeleteItem',
                'dynamodb:GetItem',
                'dynamodb:PutItem',
                'dynamodb:Query',
                'dynamodb:UpdateItem',
              ],
              // Not the directory index: only an operator deleting a directory reads it.
              Resource: [
                tableArn,
                ...Object.values(INDEXES)
                  .map((index) => index.indexName)
                  .filter((name) => name !== INDEXES.byDirectory.indexName)
                  .sort()
                  .map((name) => ({ 'Fn::Join': ['', [tableArn, `/index/${name}`]] })),
              ],
            }] : []),
            { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [ref(stack.endpoint.tokenSecret)] },
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: [arnOf(stack.endpoint.logGroups[id])],
            },
          ]),
        );
      },
    );
  });

  describe('directories', () => {
    test('one resource tree serves every directory: /{directory}/scim/v2 beside /scim/v2, no resource per directory', () => {
      const paths = [...apiResourcePaths().values()];
      expect(paths).toContain('/{directory}');
      expect(paths.filter((p) => p.startsWith('/{directory}/scim/v2/')).map((p) => p.replace('/{directory}', '')).sort()).toEqual(
        paths.filter((p) => p.startsWith(`${SCIM_BASE_PATH}/`)).sort(),
      );
    });

    test('the directory index: keys only, the one index no function may read', () => {
      const table = resources[logicalId(stack.endpoint.table)].Properties;
      expect(table.GlobalSecondaryIndexes).toContainEqual({
        IndexName: 'byDirectory',
        KeySchema: [
          { AttributeName: 'gsi3pk', KeyType: 'HASH' },
          { AttributeName: 'pk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      });
      const readers = allStatements().filter((st) => JSON.stringify(st.Resource).includes('/index/byDirectory'));
      expect(readers).toEqual([]);
    });

    test("the authorizer knows the deployment's own directory, to tell its tokens from others'", () => {
      expect(resources[logicalId(stack.endpoint.edgeAuth.fn.fn)].Properties.Environment.Variables).toMatchObject({ DIRECTORY_ID: 'default' });
    });

    test("the directory operator's managed policy: the outputs, the token list, the directory index, item deletes and the usage plan's keys; attached to nothing", () => {
      const id = logicalId(stack.endpoint.directoryOperator.policy);
      const policy = resources[id].Properties;
      const tableArn = arnOf(stack.endpoint.table);
      const apigateway = (path: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, ...path]] });
      expect(policy.PolicyDocument.Statement.map((st: Statement & { Sid: string }) => ({ Sid: st.Sid, Action: asArray(st.Action), Resource: st.Resource }))).toEqual([
        { Sid: 'ReadTheStackOutputs', Action: ['cloudformation:DescribeStacks'], Resource: { Ref: 'AWS::StackId' } },
        { Sid: 'ReadAndWriteTheTokenList', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: ref(stack.endpoint.tokenSecret) },
        { Sid: 'FindADirectorysItems', Action: ['dynamodb:Query'], Resource: { 'Fn::Join': ['', [tableArn, '/index/byDirectory']] } },
        { Sid: 'DeleteADirectorysItems', Action: ['dynamodb:BatchWriteItem'], Resource: tableArn },
        {
          Sid: 'KeyADirectoryInTheUsagePlan',
          Action: ['apigateway:GET', 'apigateway:POST'],
          Resource: [apigateway(['::/apikeys']), apigateway(['::/usageplans/', ref(stack.endpoint.edgeAuth.usagePlan), '/keys'])],
        },
        { Sid: 'RemoveADirectorysKey', Action: ['apigateway:DELETE'], Resource: apigateway(['::/apikeys/*']) },
      ]);
      expect(policy.Roles ?? policy.Users ?? policy.Groups).toBeUndefined();
      expect(JSON.stringify(policy)).not.toMatch(/dynamodb:Scan|secretsmanager:\*|"\*"/);
    });
  });

  describe('cdk-nag', () => {
    test('the AwsSolutions pack finds no error and no warning that is neither fixed nor acknowledged', () => {
      expect(awsSolutionsFindings(stack)).toEqual([]);
    });

    test('its acknowledgments are construct metadata in the cloud assembly, nothing in the template', () => {
      const recorded = nagAcknowledgments(stack);
      expect(recorded.length).toBeGreaterThan(0);
      expect(JSON.stringify(template.toJSON())).not.toContain('AwsSolutions-');
      const artifact = (stack.node.root as App).synth().getStackArtifact(stack.artifactId);
      const inAssembly = artifact.findMetadataByType(Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((entry) => Object.values(entry.data as unknown as Record<string, string>));
      expect(new Set(inAssembly)).toEqual(new Set(recorded.map((a) => a.reason)));
    });
  });

  describe('outputs', () => {
    test('exactly the Base URL (no trailing slash), the token secret, the table, the alarm topic, the dashboard, and what the directory CLI needs', () => {
      const outputs = template.toJSON().Outputs;
      expect(Object.keys(outputs).sort()).toEqual([
        'AlarmTopicArn',
        'DashboardName',
        'DirectoryId',
        'DirectoryOperatorPolicyArn',
        'ScimBaseUrl',
        'TableName',
        'TokenSecretArn',
        'UsageKeySalt',
        'UsagePlanId',
      ]);
      expect(outputs.DashboardName.Value).toEqual(ref(stack.endpoint.dashboard!.dashboard));
      expect(outputs.DirectoryId.Value).toBe('default');
      expect(outputs.UsagePlanId.Value).toEqual(ref(stack.endpoint.edgeAuth.usagePlan));
      expect(outputs.UsageKeySalt.Value).toBe(stack.endpoint.edgeAuth.usageKeySalt);
      expect(outputs.DirectoryOperatorPolicyArn.Value).toEqual(ref(stack.endpoint.directoryOperator.policy));
      expect(outputs.AlarmTopicArn.Value).toEqual(ref(stack.endpoint.monitoring.topic));
      const urlParts: unknown[] = outputs.ScimBaseUrl.Value['Fn::Join'][1];
      expect(urlParts[0]).toBe('https://');
      expect(urlParts[urlParts.length - 1]).toBe('/v1/scim/v2');
      expect(outputs.TokenSecretArn.Value).toEqual(ref(stack.endpoint.tokenSecret));
      expect(outputs.TableName.Value).toEqual(ref(stack.endpoint.table));
    });
  });
});

describe('props', () => {
  // Validation runs before any resource (and any bundling) is created.
  test.each<[ScimEndpointProps, RegExp]>([
    [{ memorySize: 64 }, /memorySize/],
    [{ memorySize: 512.5 }, /memorySize/],
    [{ stageName: 'v 1' }, /stageName/],
    [{ throttlingRateLimit: 0 }, /throttlingRateLimit/],
    [{ throttlingBurstLimit: 1.5 }, /throttlingBurstLimit/],
    [{ providerRateLimit: 300 }, /must not exceed throttlingRateLimit/],
    [{ throttlingRateLimit: 20, throttlingBurstLimit: 40 }, /must not exceed/],
    [{ providerBurstLimit: 0 }, /providerBurstLimit/],
    [{ authorizerCacheSeconds: 61 }, /authorizerCacheSeconds/],
    [{ authorizerCacheSeconds: 0 }, /authorizerCacheSeconds/],
    [{ tlsSecurityPolicy: 'TLS_1_0' as never }, /tlsSecurityPolicy/],
    [{ endpointAccessMode: 'LOOSE' as never }, /endpointAccessMode/],
    [{ reservedConcurrency: { Userz: 5 } }, /reservedConcurrency names no function/],
    [{ reservedConcurrency: { Users: 0.5 } }, /reservedConcurrency.Users/],
    [{ unauthenticatedRateLimit: 5 }, /unauthenticatedRateLimit/],
    [{ directoryId: 'a#b' }, /directoryId/],
    [{ auditRetentionDays: 0 }, /auditRetentionDays/],
    [{ auditRetentionDays: 1.5 }, /auditRetentionDays/],
    [{ compatibilityProfile: 'okta' as never }, /compatibilityProfile/],
    [{ allowedSourceCidrs: [] }, /allowedSourceCidrs/],
    [{ allowedSourceCidrs: ['10.0.0.1'] }, /allowedSourceCidrs/],
    [{ allowedSourceCidrs: ['300.0.0.0/8'] }, /allowedSourceCidrs/],
    [{ requestRateLimit: 5 }, /requestRateLimit/],
    [{ alarmEmail: 'ops' }, /alarmEmail/],
    [{ customDomain: { domainName: 'scim example', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x' } }, /domainName/],
    [{ customDomain: { domainName: 'scim.example.com', certificateArn: 'not-an-arn' } }, /certificateArn/],
    [
      { customDomain: { domainName: 'scim.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x', hostedZoneId: 'Z1' } },
      /hostedZoneName/,
    ],
  ])('refuses %j', (props, message) => {
    const scope = new Stack();
    expect(() => new ScimEndpoint(scope, 'Endpoint', props)).toThrow(message);
    expect(scope.node.findAll().length).toBe(1 + 1); // the stack and the empty endpoint scope only
  });

  test('every prop reaches the template', () => {
    // Bundling skipped: this synth is about settings, the real bundle is tested above.
    const app = new App({ context: { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [] } });
    const custom = new ScimEndpointStack(app, 'Custom', {
      stageName: 'prod',
      memorySize: 1024,
      logRetention: RetentionDays.ONE_WEEK,
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
      providerRateLimit: 5,
      providerBurstLimit: 10,
      authorizerCacheSeconds: 15,
      tlsSecurityPolicy: 'TLS_1_2',
      reservedConcurrency: { Users: 7, Authorizer: 3 },
      directoryId: 'acme',
      auditRetentionDays: 2555,
    });
    const t = Template.fromStack(custom);
    t.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Environment: { Variables: { DIRECTORY_ID: 'acme', AUDIT_RETENTION_DAYS: '2555' } },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: [{ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }],
    });
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'scim-directory-acme', Throttle: { RateLimit: 5, BurstLimit: 10 } });
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 15 });
    // The legacy TLS 1.2 policy takes no endpoint access mode.
    const [api] = Object.values(t.findResources('AWS::ApiGateway::RestApi')) as any[];
    expect([api.Properties.SecurityPolicy, api.Properties.EndpointAccessMode]).toEqual(['TLS_1_2', undefined]);
    const reserved = Object.values(t.findResources('AWS::Lambda::Function')).map((f: any) => [f.Properties.Description, f.Properties.ReservedConcurrentExecutions]);
    expect(reserved.filter(([, n]) => n !== undefined).sort()).toEqual([['SCIM Users', 7], ['SCIM edge authorizer: bearer token check before any SCIM function', 3]]);
  });

  test('compatibilityProfile reaches every function as SCIM_PROFILE, from the prop or from context', () => {
    const app = new App({ context: { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [], 'scim-endpoint:compatibilityProfile': 'aws-iam-identity-center' } });
    const iic = new ScimEndpointStack(app, 'Iic', stackPropsFromContext(app));
    const functions = Template.fromStack(iic).findResources('AWS::Lambda::Function');
    const profiles = Object.values(functions).map((f: any) => f.Properties.Environment.Variables.SCIM_PROFILE);
    expect(profiles).toEqual(FUNCTION_ROUTES.map(() => 'aws-iam-identity-center'));
  });

  test('the discovery, /Me, /Bulk and root /.search paths are routed', () => {
    const app = new App({ context: { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [] } });
    const t = Template.fromStack(new ScimEndpointStack(app, 'Routes'));
    const parts = Object.values(t.findResources('AWS::ApiGateway::Resource')).map((r: any) => r.Properties.PathPart);
    for (const part of ['ServiceProviderConfig', 'Schemas', 'ResourceTypes', 'Me', 'Bulk', '.search']) expect(parts).toContain(part);
  });

  test('context given as strings (cdk -c key=value) is parsed; bad values are refused', () => {
    const fromCli = (context: Record<string, string>) => stackPropsFromContext(new App({ context }));
    expect(
      fromCli({ 'scim-endpoint:memorySize': '1024', 'scim-endpoint:logRetentionDays': '7', 'scim-endpoint:stageName': 'prod' }),
    ).toMatchObject({ memorySize: 1024, logRetention: RetentionDays.ONE_WEEK, stageName: 'prod' });
    expect(() => fromCli({ 'scim-endpoint:logRetentionDays': '8' })).toThrow(/logRetentionDays/);
    expect(() => fromCli({ 'scim-endpoint:memorySize': 'lots' })).toThrow(/memorySize/);
    expect(fromCli({ 'scim-endpoint:webAcl': 'true', 'scim-endpoint:allowedSourceCidrs': '10.0.0.0/8, 192.0.2.1/32' })).toMatchObject({
      webAcl: true,
      allowedSourceCidrs: ['10.0.0.0/8', '192.0.2.1/32'],
    });
    expect(() => fromCli({ 'scim-endpoint:changeEvents': 'yes' })).toThrow(/changeEvents/);
    expect(() => fromCli({ 'scim-endpoint:customDomainName': 'scim.example.com' })).toThrow(/certificateArn/);
  });

  test('cdk.json context yields the construct defaults', () => {
    expect(stackPropsFromContext(new App({ context: CDK_JSON.context }))).toEqual({
      stackName: 'ScimEndpoint',
      stageName: 'v1',
      directoryId: 'default',
      memorySize: 512,
      logRetention: RetentionDays.ONE_MONTH,
      throttlingRateLimit: 200,
      throttlingBurstLimit: 400,
    });
  });
});
