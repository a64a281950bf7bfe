import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { FUNCTION_ROUTES } from '../../lambda/handlers/routes';
import { esbuildOptions, EXCLUDED_FROM_BUNDLES } from '../../lib/constructs/bundling';
import { ScimEndpointStack, stackPropsFromContext } from '../../lib/scim-endpoint-stack';
import { cfnLint } from '../support/cfn-lint';
import { startRecordingStandIn } from '../support/recording-stand-in';
import { checkSigV4 } from '../support/sigv4';

/**
 * Every configuration the context can select, synthesized as `cdk synth` does (cdk.json's
 * feature flags, context keys as a user sets them) and checked by cfn-lint and by the
 * security invariants that must hold whatever the settings. Bundling is skipped here: the
 * bundles are tested in scim-endpoint-stack.test.ts and do not change the template's shape.
 */
const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';

const CONFIGURATIONS: Record<string, Record<string, unknown>> = {
  defaults: {},
  everything: {
    'scim-endpoint:stageName': 'prod',
    'scim-endpoint:customDomainName': 'scim.example.com',
    'scim-endpoint:certificateArn': CERT,
    'scim-endpoint:hostedZoneId': 'Z0123456789ABCDEFGHIJ',
    'scim-endpoint:hostedZoneName': 'example.com',
    'scim-endpoint:allowedSourceCidrs': ['203.0.113.0/24', '2001:db8::/32'],
    'scim-endpoint:webAcl': true,
    'scim-endpoint:requestRateLimit': 500,
    'scim-endpoint:alarmEmail': 'ops@example.com',
    'scim-endpoint:changeEvents': true,
    'scim-endpoint:tracing': true,
    'scim-endpoint:logLevel': 'debug',
    'scim-endpoint:metricsNamespace': 'Acme/Scim',
  },
  // As given on the command line: -c key=value, every value a string.
  wafWithoutAllowList: {
    'scim-endpoint:webAcl': 'true',
    'scim-endpoint:apiGatewayCloudWatchRole': 'false',
    'scim-endpoint:logRetentionDays': '365',
  },
  domainWithoutZoneAndAllowListWithoutWaf: {
    'scim-endpoint:customDomainName': 'scim.example.org',
    'scim-endpoint:certificateArn': CERT,
    'scim-endpoint:allowedSourceCidrs': '198.51.100.7/32, 192.0.2.0/24',
  },
  changeEventsOnly: { 'scim-endpoint:changeEvents': 'true', 'scim-endpoint:directoryId': 'acme' },
  noDashboardTracingOn: { 'scim-endpoint:dashboard': 'false', 'scim-endpoint:tracing': 'true' },
};

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
const synthesized: Record<string, { template: Template; resources: Record<string, Resource>; outputs: Record<string, any>; stack: ScimEndpointStack }> = {};
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-configs-'));

function synth(name: string) {
  if (synthesized[name]) return synthesized[name];
  const app = new App({
    outdir: path.join(outdir, name),
    context: { ...CDK_JSON.context, ...CONFIGURATIONS[name], 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new ScimEndpointStack(app, 'ScimEndpointStack', {
    ...stackPropsFromContext(app),
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  synthesized[name] = { template, resources: json.Resources, outputs: json.Outputs, stack };
  return synthesized[name];
}

/** What Lambda's active tracing needs; X-Ray offers no resource-level permission for them (docs/security.md). */
const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

const ofType = (resources: Record<string, Resource>, type: string) => Object.values(resources).filter((r) => r.Type === type);
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe.each(Object.keys(CONFIGURATIONS))('configuration %s', (name) => {
  jest.setTimeout(120_000);

  test('passes cfn-lint with no error', () => {
    const file = path.join(outdir, `${name}.template.json`);
    fs.writeFileSync(file, JSON.stringify(synth(name).template.toJSON(), null, 1));
    const findings = cfnLint(file);
    expect(findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id} ${f.Message}`)).toEqual([]);
    // The only warning allowed is W3005 (CDK's explicit DependsOn on a role's default policy).
    expect(findings.filter((f) => f.Rule.Id !== 'W3005').map((f) => `${f.Rule.Id} ${f.Message}`)).toEqual([]);
  });

  test('no wildcard action and no "*" resource in any IAM statement but X-Ray\'s (which has no resource-level permissions)', () => {
    const { resources } = synth(name);
    const statements = [
      ...ofType(resources, 'AWS::IAM::Policy').flatMap((r) => r.Properties.PolicyDocument.Statement),
      ...ofType(resources, 'AWS::IAM::Role').flatMap((r) => (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement)),
      ...ofType(resources, 'AWS::SNS::TopicPolicy').flatMap((r) => r.Properties.PolicyDocument.Statement),
      ...ofType(resources, 'AWS::SQS::QueuePolicy').flatMap((r) => r.Properties.PolicyDocument.Statement),
    ];
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of asArray(statement.Action)) expect(action).not.toContain('*');
      const xrayOnly = asArray(statement.Action).every((action: string) => XRAY_ACTIONS.includes(action));
      if (statement.Effect === 'Allow' && !xrayOnly) for (const resource of asArray(statement.Resource)) expect(resource).not.toBe('*');
    }
    for (const role of ofType(resources, 'AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the table keeps point-in-time recovery, deletion protection and is retained', () => {
    const [table] = ofType(synth(name).resources, 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
  });

  test('the stage writes JSON access logs without headers, and no execution log or data trace', () => {
    const [stage] = ofType(synth(name).resources, 'AWS::ApiGateway::Stage');
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', sourceIp: '$context.identity.sourceIp' });
    expect(stage.Properties.AccessLogSetting.Format).not.toMatch(/header|authoriz/i);
    // The resource template, never the raw path, which may hold an e-mail used as an id.
    expect(format.resourcePath).toBe('$context.resourcePath');
    expect(stage.Properties.AccessLogSetting.Format).not.toContain('$context.path');
    for (const setting of stage.Properties.MethodSettings) {
      expect(setting.LoggingLevel).toBe('OFF');
      expect(setting.DataTraceEnabled).toBe(false);
      expect(setting.ThrottlingRateLimit).toBeGreaterThan(0);
    }
  });

  test('alarms on 5xx, Lambda errors and throttles, DynamoDB errors, all notifying the topic', () => {
    const { resources, stack } = synth(name);
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm');
    const topicId = stack.getLogicalId(stack.endpoint.monitoring.topic.node.defaultChild as never);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    const metricNames = alarms.map((a) => a.Properties.MetricName ?? JSON.stringify(a.Properties.Metrics));
    expect(metricNames.filter((m) => m === '5XXError')).toHaveLength(1);
    const functionCount = FUNCTION_ROUTES.length + (stack.endpoint.changeEvents ? 1 : 0);
    expect(metricNames.filter((m) => m === 'Errors')).toHaveLength(functionCount);
    expect(metricNames.filter((m) => m === 'Throttles')).toHaveLength(functionCount);
    expect(metricNames.filter((m) => m.includes('SystemErrors'))).toHaveLength(1);
    expect(metricNames.filter((m) => m.includes('ThrottledRequests'))).toHaveLength(1);
    const lag = alarms.filter((a) => a.Properties.MetricName === 'IteratorAge');
    const deadLetters = alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect([lag.length, deadLetters.length]).toEqual(stack.endpoint.changeEvents ? [1, 1] : [0, 0]);
    if (lag.length) expect(lag[0].Properties.Threshold).toBe(300_000);
    expect(alarms).toHaveLength(3 + 2 * FUNCTION_ROUTES.length + (stack.endpoint.changeEvents ? 4 : 0));
  });

  test('every API method is proxied to a SCIM function (which checks the bearer token)', () => {
    const { resources } = synth(name);
    const methods = ofType(resources, 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(0);
    for (const method of methods) expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
  });
});

describe('what each setting adds', () => {
  test('a custom domain: TLS 1.2, alias record, default endpoint off, Base URL on the domain', () => {
    const { template, resources, outputs } = synth('everything');
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'scim.example.com',
      RegionalCertificateArn: CERT,
      SecurityPolicy: 'TLS_1_2',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'scim.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    expect(ofType(resources, 'AWS::ApiGateway::RestApi')[0].Properties.DisableExecuteApiEndpoint).toBe(true);
    expect(outputs.ScimBaseUrl.Value).toBe('https://scim.example.com/scim/v2');
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });

  test('a custom domain without a zone creates no record', () => {
    const { template, outputs } = synth('domainWithoutZoneAndAllowListWithoutWaf');
    template.resourceCountIs('AWS::ApiGateway::DomainName', 1);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(outputs.ScimBaseUrl.Value).toBe('https://scim.example.org/scim/v2');
  });

  test('an allow list denies every other source in the resource policy, with or without WAF', () => {
    for (const [name, cidrs] of [
      ['everything', ['203.0.113.0/24', '2001:db8::/32']],
      ['domainWithoutZoneAndAllowListWithoutWaf', ['198.51.100.7/32', '192.0.2.0/24']],
    ] as const) {
      const [api] = ofType(synth(name).resources, 'AWS::ApiGateway::RestApi');
      const deny = api.Properties.Policy.Statement.find((s: any) => s.Effect === 'Deny');
      expect(deny).toMatchObject({ Action: 'execute-api:Invoke', Condition: { NotIpAddress: { 'aws:SourceIp': cidrs } } });
    }
    const [open] = ofType(synth('defaults').resources, 'AWS::ApiGateway::RestApi');
    expect(open.Properties.Policy.Statement.filter((s: any) => s.Effect === 'Deny')).toHaveLength(0);
    synth('domainWithoutZoneAndAllowListWithoutWaf').template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  test('the web ACL: a rate rule per source IP, the allow list as IP sets, default block, on the stage', () => {
    const { template, resources } = synth('everything');
    const [acl] = ofType(resources, 'AWS::WAFv2::WebACL');
    expect(acl.Properties.DefaultAction).toEqual({ Block: {} });
    expect(acl.Properties.Rules[0]).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } },
    });
    expect(acl.Properties.Rules[1]).toMatchObject({ Action: { Allow: {} }, Statement: { OrStatement: {} } });
    const sets = ofType(resources, 'AWS::WAFv2::IPSet').map((s) => [s.Properties.IPAddressVersion, s.Properties.Addresses]);
    expect(sets).toEqual(expect.arrayContaining([['IPV4', ['203.0.113.0/24']], ['IPV6', ['2001:db8::/32']]]));
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test('the web ACL without an allow list lets through what the rate rule allows (default 3000 / 5 min)', () => {
    const { resources } = synth('wafWithoutAllowList');
    const [acl] = ofType(resources, 'AWS::WAFv2::WebACL');
    expect(acl.Properties.DefaultAction).toEqual({ Allow: {} });
    expect(acl.Properties.Rules).toHaveLength(1);
    expect(acl.Properties.Rules[0].Statement.RateBasedStatement.Limit).toBe(3000);
    expect(ofType(resources, 'AWS::WAFv2::IPSet')).toHaveLength(0);
    expect(ofType(resources, 'AWS::ApiGateway::Account')).toHaveLength(0);
    expect(ofType(resources, 'AWS::Logs::LogGroup').every((g) => g.Properties.RetentionInDays === 365)).toBe(true);
  });

  test('the alarm e-mail is subscribed to the topic; the topic refuses publishing without TLS', () => {
    const { template } = synth('everything');
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    synth('defaults').template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          // Its own policy replaces SNS's default, so CloudWatch (this account's alarms only) is let in.
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
  });

  test('change events: a bus, a stream consumer that may read only the stream and put only on the bus', () => {
    const { template, resources, stack, outputs } = synth('changeEventsOnly');
    const events = stack.endpoint.changeEvents!;
    const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(stack.endpoint.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [id(events.deadLetterQueue), 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: ['USER', 'GROUP', { prefix: 'MEMBER#' }] } } } }) }] },
    });
    const roleId = id(events.publisher.role);
    const statements = ofType(resources, 'AWS::IAM::Policy')
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .map((s: any) => [asArray(s.Action).sort(), s.Resource]);
    expect(statements).toEqual(
      expect.arrayContaining([
        [['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], { 'Fn::GetAtt': [id(stack.endpoint.table), 'StreamArn'] }],
        [['events:PutEvents'], { 'Fn::GetAtt': [id(events.bus), 'Arn'] }],
        [['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], { 'Fn::GetAtt': [id(events.deadLetterQueue), 'Arn'] }],
      ]),
    );
    expect(statements).toHaveLength(4); // and its own log group
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    expect(outputs.ChangeEventBusName.Value).toEqual({ Ref: id(events.bus) });
    expect(synth('defaults').outputs.ChangeEventBusName).toBeUndefined();
    synth('defaults').template.resourceCountIs('AWS::Events::EventBus', 0);
  });
});

describe('the change-event publisher as cdk synth bundles it', () => {
  jest.setTimeout(180_000);
  let dir: string;

  beforeAll(() => {
    const out = path.join(outdir, 'bundled');
    const app = new App({ outdir: out, context: { ...CDK_JSON.context, 'scim-endpoint:changeEvents': true } });
    const stack = new ScimEndpointStack(app, 'ScimEndpointStack', { ...stackPropsFromContext(app), env: { account: '123456789012', region: 'eu-west-1' } });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
    const fnId = stack.getLogicalId(stack.endpoint.changeEvents!.publisher.fn.node.defaultChild as never);
    const key: string = resources[fnId].Properties.Code.S3Key;
    dir = path.join(out, `asset.${key.replace(/\.zip$/, '')}`);
  });

  test('one minified ESM entry (and its lazy chunks) that loads in a fresh Node process with no node_modules and exports handler', () => {
    expect(fs.readdirSync(dir).sort()).toEqual(['chunks', 'index.mjs']);
    expect(fs.statSync(path.join(dir, 'index.mjs')).size).toBeLessThan(1024 * 1024);
    const script = `const m = await import(${JSON.stringify(pathToFileURL(path.join(dir, 'index.mjs')).href)}); process.stdout.write(typeof m.handler);`;
    const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.dirname(dir),
      env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', EVENT_BUS_NAME: 'bus' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(loaded).toBe('function');
  });

  test('publishes a stream batch, its PutEvents signed with the credentials Lambda puts in the environment', async () => {
    const standIn = await startRecordingStandIn('');
    try {
      const event = fs.readFileSync(path.join(__dirname, '..', '..', 'events', 'change-events-stream.json'), 'utf8');
      const script = `const m = await import(${JSON.stringify(pathToFileURL(path.join(dir, 'index.mjs')).href)}); process.stdout.write('\\n' + JSON.stringify(await m.handler(${event})));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        cwd: path.dirname(dir),
        env: {
          PATH: process.env.PATH,
          HOME: path.dirname(dir),
          AWS_REGION: 'eu-west-1',
          EVENT_BUS_NAME: 'bus',
          AWS_ENDPOINT_URL: standIn.endpoint,
          AWS_ACCESS_KEY_ID: 'ASIAEXECUTIONROLE01',
          AWS_SECRET_ACCESS_KEY: 'execution-role-secret',
          AWS_SESSION_TOKEN: 'execution-role-session',
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(JSON.parse(stdout.split('\n').pop()!)).toEqual({ batchItemFailures: [] });
      expect(standIn.requests.length).toBeGreaterThan(0);
      for (const request of standIn.requests) {
        expect(request.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
        expect(checkSigV4(request, 'execution-role-secret')).toMatchObject({ accessKeyId: 'ASIAEXECUTIONROLE01', valid: true });
        expect(request.headers['x-amz-security-token']).toBe('execution-role-session');
      }
    } finally {
      await standIn.close();
    }
  });

  test('the benchmark\'s build (esbuildOptions) is that bundle byte for byte, with nothing the aliases replace among its inputs', async () => {
    const { outputFiles, metafile } = await build({ ...esbuildOptions('lambda/handlers/change-events.ts', dir), write: false, metafile: true });
    expect(outputFiles.length).toBeGreaterThan(0);
    for (const file of outputFiles) expect(file.text === fs.readFileSync(file.path, 'utf8')).toBe(true);
    expect(Object.keys(metafile.inputs).filter((input) => EXCLUDED_FROM_BUNDLES.some((re) => re.test(input)))).toEqual([]);
  });
});
