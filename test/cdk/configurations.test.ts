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
import { awsSolutionsFindings, documentedAcknowledgments, everyAwsSolutionsFinding, nagAcknowledgments } from './aws-solutions-checks';

/**
 * Every configuration the context can select, synthesized as `cdk synth` does (cdk.json's
 * feature flags, context keys as a user sets them) and checked by cfn-lint and by the
 * security invariants that must hold whatever the settings, and by cdk-nag's AwsSolutions pack.
 * Bundling is skipped here: the bundles are tested in scim-endpoint-stack.test.ts and do not
 * change the template's shape.
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
  // Everything that stores data, encrypted with the customer-managed key; the IIC profile's gateway answers.
  customerManagedKey: {
    'scim-endpoint:customerManagedKey': 'true',
    'scim-endpoint:changeEvents': 'true',
    'scim-endpoint:webAcl': 'true',
    'scim-endpoint:compatibilityProfile': 'aws-iam-identity-center',
    'scim-endpoint:reservedConcurrency': 'Users=20,Groups=20,Authorizer=10',
  },
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

  test('no wildcard action and no "*" resource in any Allow statement but X-Ray\'s (which has no resource-level permissions); a wildcard Deny only refuses requests without TLS', () => {
    const { resources } = synth(name);
    const statements = [
      ...ofType(resources, 'AWS::IAM::Policy').flatMap((r) => r.Properties.PolicyDocument.Statement),
      ...ofType(resources, 'AWS::IAM::Role').flatMap((r) => (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement)),
      ...ofType(resources, 'AWS::SNS::TopicPolicy').flatMap((r) => r.Properties.PolicyDocument.Statement),
      ...ofType(resources, 'AWS::SQS::QueuePolicy').flatMap((r) => r.Properties.PolicyDocument.Statement),
    ];
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      // A Deny of a whole service refuses more than a list of its actions could: the queue's TLS-only statement.
      if (statement.Effect === 'Deny' && asArray(statement.Action).some((action: string) => action.includes('*'))) {
        expect(statement.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
        continue;
      }
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
    // Nothing from a header or body; of the authorizer's answer only the token id (never the token) and its status.
    expect(stage.Properties.AccessLogSetting.Format).not.toMatch(/header|\$input|authorization|principalId/i);
    expect(format).toMatchObject({ tlsVersion: '$context.tlsVersion', cipherSuite: '$context.cipherSuite', tokenId: '$context.authorizer.tokenId' });
    // The resource template, never the raw path, which may hold an e-mail used as an id.
    expect(format.resourcePath).toBe('$context.resourcePath');
    expect(stage.Properties.AccessLogSetting.Format).not.toContain('$context.path');
    for (const setting of stage.Properties.MethodSettings) {
      expect(setting.LoggingLevel).toBe('OFF');
      expect(setting.DataTraceEnabled).toBe(false);
      expect(setting.ThrottlingRateLimit).toBeGreaterThan(0);
    }
  });

  test('alarms on 5xx, Lambda errors and throttles, DynamoDB errors, token expiry, 401s and 429s, all notifying the topic', () => {
    const { resources, stack } = synth(name);
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm');
    const topicId = stack.getLogicalId(stack.endpoint.monitoring.topic.node.defaultChild as never);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    const metricNames = alarms.map((a) => a.Properties.MetricName ?? JSON.stringify(a.Properties.Metrics));
    expect(metricNames.filter((m) => m === '5XXError')).toHaveLength(1);
    // The SCIM functions, the edge authorizer and the change-event publisher; + the daily check's errors.
    const functionCount = FUNCTION_ROUTES.length + 1 + (stack.endpoint.changeEvents ? 1 : 0);
    expect(metricNames.filter((m) => m === 'Errors')).toHaveLength(functionCount + 1);
    expect(metricNames.filter((m) => m === 'Throttles')).toHaveLength(functionCount);
    expect(metricNames.filter((m) => m.includes('SystemErrors'))).toHaveLength(1);
    expect(metricNames.filter((m) => m.includes('ThrottledRequests'))).toHaveLength(1);
    const lag = alarms.filter((a) => a.Properties.MetricName === 'IteratorAge');
    const deadLetters = alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect([lag.length, deadLetters.length]).toEqual(stack.endpoint.changeEvents ? [1, 1] : [0, 0]);
    if (lag.length) expect(lag[0].Properties.Threshold).toBe(300_000);
    const expiry = alarms.filter((a) => a.Properties.MetricName === 'TokenDaysLeft');
    expect(expiry.map((a) => [a.Properties.Threshold, a.Properties.ComparisonOperator, a.Properties.Statistic, a.Properties.Period]).sort()).toEqual([
      [30, 'LessThanOrEqualToThreshold', 'Minimum', 86400],
      [7, 'LessThanOrEqualToThreshold', 'Minimum', 86400],
    ]);
    expect(expiry.every((a) => a.Properties.Namespace === 'ScimEndpoint')).toBe(true);
    const answers = alarms.filter((a) => ['UnauthorizedAnswers', 'ThrottledAnswers'].includes(a.Properties.MetricName));
    expect(answers.map((a) => [a.Properties.MetricName, a.Properties.Threshold]).sort()).toEqual([['ThrottledAnswers', 50], ['UnauthorizedAnswers', 20]]);
    // Each counted by a metric filter on the access log's status field.
    const filters = ofType(resources, 'AWS::Logs::MetricFilter').map((f) => [f.Properties.MetricTransformations[0].MetricName, f.Properties.FilterPattern]);
    expect(filters.sort()).toEqual([['ThrottledAnswers', '{ $.status = "429" }'], ['UnauthorizedAnswers', '{ $.status = "401" }']]);
    expect(alarms).toHaveLength(3 + 2 * functionCount + 1 + 2 + 2 + (stack.endpoint.changeEvents ? 2 : 0));
  });

  test('the daily token check runs once a day and may only read the token secret and write its log', () => {
    const { resources, stack } = synth(name);
    const checker = stack.endpoint.tokenAlarms.checker;
    const fnId = stack.getLogicalId(checker.fn.node.defaultChild as never);
    const [rule] = ofType(resources, 'AWS::Events::Rule').filter((r) => JSON.stringify(r.Properties.Targets).includes(fnId));
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 day)');
    const roleId = stack.getLogicalId(checker.role.node.defaultChild as never);
    const actions = ofType(resources, 'AWS::IAM::Policy')
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .flatMap((st: any) => asArray(st.Action))
      .sort();
    expect(actions).toEqual([...(stack.endpoint.encryptionKey ? ['kms:Decrypt'] : []), 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue']);
  });

  test('the REST API and the custom domain accept TLS 1.2 or better only, with the strict endpoint access mode', () => {
    const { resources } = synth(name);
    for (const resource of [...ofType(resources, 'AWS::ApiGateway::RestApi'), ...ofType(resources, 'AWS::ApiGateway::DomainName')]) {
      expect(resource.Properties).toMatchObject({ SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09', EndpointAccessMode: 'STRICT' });
    }
    const domains = ofType(resources, 'AWS::ApiGateway::DomainName');
    expect(ofType(resources, 'AWS::ApiGateway::RestApi')[0].Properties.DisableExecuteApiEndpoint).toBe(domains.length > 0);
  });

  test('every SCIM method is behind the edge authorizer (no method is NONE) and proxied to a SCIM function, which checks the token again', () => {
    const { resources, stack } = synth(name);
    const methods = ofType(resources, 'AWS::ApiGateway::Method');
    const authorizerId = stack.getLogicalId(stack.endpoint.edgeAuth.authorizer.node.defaultChild as never);
    expect(methods.length).toBeGreaterThan(0);
    for (const method of methods) {
      expect(method.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId }, ApiKeyRequired: true });
      expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
    }
    const [authorizer] = ofType(resources, 'AWS::ApiGateway::Authorizer');
    expect(authorizer.Properties).toMatchObject({ Type: 'REQUEST', IdentitySource: 'method.request.header.Authorization' });
    expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBeLessThanOrEqual(60);
  });

  test('the directory\'s usage plan (50 req/s, burst 100) keyed by the authorizer, under a stage limit above it', () => {
    const { resources, stack } = synth(name);
    const [api] = ofType(resources, 'AWS::ApiGateway::RestApi');
    expect(api.Properties.ApiKeySourceType).toBe('AUTHORIZER');
    const [plan, ...others] = ofType(resources, 'AWS::ApiGateway::UsagePlan');
    expect(others).toHaveLength(0);
    expect(plan.Properties.Throttle).toEqual({ RateLimit: 50, BurstLimit: 100 });
    expect(plan.Properties.UsagePlanName).toBe(`scim-directory-${stack.node.tryGetContext('scim-endpoint:directoryId')}`);
    expect(ofType(resources, 'AWS::ApiGateway::UsagePlanKey')).toHaveLength(1);
    const [stage] = ofType(resources, 'AWS::ApiGateway::Stage');
    expect(stage.Properties.MethodSettings[0].ThrottlingRateLimit).toBeGreaterThan(plan.Properties.Throttle.RateLimit);
    expect(stage.Properties.MethodSettings[0].ThrottlingBurstLimit).toBeGreaterThan(plan.Properties.Throttle.BurstLimit);
  });

  test("cdk-nag's AwsSolutions pack finds no error and no warning that is neither fixed nor acknowledged", () => {
    expect(awsSolutionsFindings(synth(name).stack)).toEqual([]);
  });

  test('each cdk-nag acknowledgment is on one resource and answers a finding the pack raises on it', () => {
    const { stack } = synth(name);
    const raised = new Set(everyAwsSolutionsFinding(stack).map((f) => `${f.rule} at ${f.path}`));
    const acknowledged = nagAcknowledgments(stack).map((a) => `${a.id} at ${a.path}`);
    expect(acknowledged.length).toBeGreaterThan(0);
    // An acknowledgment on a parent, or one left behind after a fix, would hide the next finding there.
    expect(acknowledged.filter((a) => !raised.has(a))).toEqual([]);
  });
});

describe('cdk-nag acknowledgments in docs/security.md', () => {
  jest.setTimeout(120_000);

  test('the table lists every finding any configuration acknowledges, with the reason the construct records, and no other', () => {
    const recorded = new Map<string, string>();
    for (const name of Object.keys(CONFIGURATIONS)) {
      for (const { id, reason } of nagAcknowledgments(synth(name).stack)) {
        expect(recorded.get(id) ?? reason).toBe(reason);
        recorded.set(id, reason);
      }
    }
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
    const documented = documentedAcknowledgments(doc, '## cdk-nag: findings acknowledged, with their reasons');
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(documented.sort(byId)).toEqual([...recorded].map(([id, reason]) => ({ id, reason })).sort(byId));
  });
});

describe('what each setting adds', () => {
  test('a custom domain: TLS 1.2, alias record, default endpoint off, Base URL on the domain', () => {
    const { template, resources, outputs } = synth('everything');
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'scim.example.com',
      RegionalCertificateArn: CERT,
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
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

  test('the web ACL: rate rules per source IP, AWS managed rule groups, the allow list as IP sets, default block, on the stage', () => {
    const { template, resources } = synth('everything');
    const [acl] = ofType(resources, 'AWS::WAFv2::WebACL');
    expect(acl.Properties.DefaultAction).toEqual({ Block: {} });
    expect(acl.Properties.Rules.map((r: any) => r.Name)).toEqual([
      'RateLimitPerSourceIp',
      'RateLimitWithoutTokenPerSourceIp',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
      'AllowListedSources',
    ]);
    expect(acl.Properties.Rules[0]).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } },
    });
    expect(acl.Properties.Rules[5]).toMatchObject({ Action: { Allow: {} }, Statement: { OrStatement: {} } });
    const sets = ofType(resources, 'AWS::WAFv2::IPSet').map((s) => [s.Properties.IPAddressVersion, s.Properties.Addresses]);
    expect(sets).toEqual(expect.arrayContaining([['IPV4', ['203.0.113.0/24']], ['IPV6', ['2001:db8::/32']]]));
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test('the web ACL without an allow list: a provider behind one egress address gets its whole usage plan before WAF blocks it', () => {
    const { resources } = synth('wafWithoutAllowList');
    const [acl] = ofType(resources, 'AWS::WAFv2::WebACL');
    expect(acl.Properties.DefaultAction).toEqual({ Allow: {} });
    expect(acl.Properties.Rules).toHaveLength(5);
    const perIp = acl.Properties.Rules[0].Statement.RateBasedStatement;
    const [plan] = ofType(resources, 'AWS::ApiGateway::UsagePlan');
    // WAF counts per 5 minutes: its limit must be above the plan's steady rate over that window.
    expect(perIp.Limit).toBe(20_000);
    expect(perIp.Limit).toBeGreaterThan(plan.Properties.Throttle.RateLimit * 300);
    // Requests without a bearer token can only be refused: their own low limit.
    const withoutToken = acl.Properties.Rules[1].Statement.RateBasedStatement;
    expect(withoutToken.Limit).toBe(300);
    expect(withoutToken.ScopeDownStatement.NotStatement.Statement.ByteMatchStatement).toMatchObject({
      FieldToMatch: { SingleHeader: { Name: 'authorization' } },
      PositionalConstraint: 'STARTS_WITH',
      SearchString: 'bearer ',
    });
    // The core rule set's size limits would block large PATCH and Bulk bodies and long filters: counted, not blocked.
    const core = acl.Properties.Rules[4].Statement.ManagedRuleGroupStatement;
    expect(core.RuleActionOverrides.map((o: any) => [o.Name, o.ActionToUse])).toEqual([
      ['SizeRestrictions_BODY', { Count: {} }],
      ['SizeRestrictions_QUERYSTRING', { Count: {} }],
      ['NoUserAgent_HEADER', { Count: {} }],
    ]);
    expect(ofType(resources, 'AWS::WAFv2::IPSet')).toHaveLength(0);
    expect(ofType(resources, 'AWS::ApiGateway::Account')).toHaveLength(0);
    expect(ofType(resources, 'AWS::Logs::LogGroup').every((g) => g.Properties.RetentionInDays === 365)).toBe(true);
  });

  test('WAF logs: blocked and counted requests only, to an aws-waf-logs- group, with the token, query and path redacted', () => {
    for (const name of ['everything', 'wafWithoutAllowList', 'customerManagedKey']) {
      const { resources } = synth(name);
      const [logging, ...more] = ofType(resources, 'AWS::WAFv2::LoggingConfiguration');
      expect(more).toHaveLength(0);
      expect(logging.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }, { QueryString: {} }, { UriPath: {} }]);
      expect(logging.Properties.LoggingFilter.DefaultBehavior).toBe('DROP');
      const group = ofType(resources, 'AWS::Logs::LogGroup').find((g) => String(g.Properties.LogGroupName ?? '').startsWith('aws-waf-logs-'));
      expect(group).toBeDefined();
      expect(JSON.stringify(logging.Properties.LogDestinationConfigs)).toContain(group!.Properties.LogGroupName);
    }
    expect(ofType(synth('defaults').resources, 'AWS::WAFv2::LoggingConfiguration')).toHaveLength(0);
  });

  test('gateway answers are SCIM errors: 401 with WWW-Authenticate, 429 with Retry-After, an authorizer failure 503 with Retry-After', () => {
    const responses = ofType(synth('defaults').resources, 'AWS::ApiGateway::GatewayResponse');
    const byType = Object.fromEntries(responses.map((r) => [r.Properties.ResponseType, r.Properties]));
    expect(byType.UNAUTHORIZED.StatusCode).toBe('401');
    expect(byType.UNAUTHORIZED.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toBe(`'Bearer realm="scim"'`);
    expect(byType.THROTTLED.StatusCode).toBe('429');
    expect(byType.THROTTLED.ResponseParameters['gatewayresponse.header.Retry-After']).toBe("'1'");
    expect(byType.AUTHORIZER_FAILURE.StatusCode).toBe('503');
    expect(byType.AUTHORIZER_FAILURE.ResponseParameters['gatewayresponse.header.Retry-After']).toMatch(/^'\d+'$/);
    for (const r of responses) {
      const body = JSON.parse(r.Properties.ResponseTemplates['application/json'].replace(/\$context\.error\.messageString/, '"msg"'));
      expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: r.Properties.StatusCode });
      expect(r.Properties.ResponseParameters['gatewayresponse.header.Content-Type']).toBe("'application/scim+json'");
    }
  });

  test('under the aws-iam-identity-center profile, throttling (and every gateway answer) has IIC\'s error shape', () => {
    const responses = ofType(synth('customerManagedKey').resources, 'AWS::ApiGateway::GatewayResponse');
    const throttled = responses.find((r) => r.Properties.ResponseType === 'THROTTLED')!;
    const body = JSON.parse(throttled.Properties.ResponseTemplates['application/json'].replace(/\$context\.error\.messageString/, '"Too Many Requests"'));
    expect(body).toEqual({
      schema: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      detail: 'Too Many Requests',
      status: '429',
      exceptionRequestId: '$context.requestId',
      timeStamp: '$context.requestTime',
    });
    for (const r of responses) expect(r.Properties.ResponseParameters['gatewayresponse.header.Content-Type']).toBe("'application/json'");
  });

  test('reserved concurrency reaches exactly the functions it names', () => {
    const { resources, stack } = synth('customerManagedKey');
    const reserved = (fn: { node: { defaultChild?: unknown } }) => resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.ReservedConcurrentExecutions;
    expect([reserved(stack.endpoint.functions.Users), reserved(stack.endpoint.functions.Groups), reserved(stack.endpoint.edgeAuth.fn.fn)]).toEqual([20, 20, 10]);
    expect([reserved(stack.endpoint.functions.Bulk), reserved(stack.endpoint.functions.Discovery)]).toEqual([undefined, undefined]);
    expect(ofType(synth('defaults').resources, 'AWS::Lambda::Function').every((f) => f.Properties.ReservedConcurrentExecutions === undefined)).toBe(true);
  });

  test('the customer-managed key: every data store and log uses it; its policy lets in the account, CloudWatch Logs and alarms only', () => {
    const { resources, stack } = synth('customerManagedKey');
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.endpoint.encryptionKey!.node.defaultChild as never), 'Arn'] };
    const [table] = ofType(resources, 'AWS::DynamoDB::Table');
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn });
    expect(ofType(resources, 'AWS::SecretsManager::Secret')[0].Properties.KmsKeyId).toEqual(keyArn);
    const groups = ofType(resources, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(5);
    for (const group of groups) expect(group.Properties.KmsKeyId).toEqual(keyArn);
    expect(ofType(resources, 'AWS::SNS::Topic')[0].Properties.KmsMasterKeyId).toEqual(keyArn);
    expect(ofType(resources, 'AWS::SQS::Queue')[0].Properties.KmsMasterKeyId).toEqual(keyArn);
    const [key] = ofType(resources, 'AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    const principals = key.Properties.KeyPolicy.Statement.map((st: any) => st.Principal.AWS ? 'account' : JSON.stringify(st.Principal.Service));
    expect(principals).toHaveLength(3);
    expect(principals[0]).toBe('account');
    expect(principals[1]).toContain('logs.');
    expect(principals[2]).toBe('"cloudwatch.amazonaws.com"');
    // Each role may use the key through one service only.
    const kmsStatements = ofType(resources, 'AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement).filter((st: any) => asArray(st.Action).some((a: string) => a.startsWith('kms:')));
    expect(kmsStatements.length).toBeGreaterThan(0);
    for (const st of kmsStatements) {
      expect(st.Resource).toEqual(keyArn);
      expect(Object.keys(st.Condition.StringEquals)).toEqual(['kms:ViaService']);
    }
  });

  test("with the key, the directory operator's policy may use it through Secrets Manager and DynamoDB only; without it, no KMS at all", () => {
    const operatorKms = (name: string) =>
      ofType(synth(name).resources, 'AWS::IAM::ManagedPolicy')
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((st: any) => asArray(st.Action).some((a: string) => a.startsWith('kms:')));
    const { stack } = synth('customerManagedKey');
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.endpoint.encryptionKey!.node.defaultChild as never), 'Arn'] };
    const statements = operatorKms('customerManagedKey');
    expect(statements.map((st: any) => JSON.stringify(st.Condition.StringEquals['kms:ViaService']))).toEqual([
      expect.stringContaining('secretsmanager.'),
      expect.stringContaining('dynamodb.'),
    ]);
    for (const st of statements) expect(st.Resource).toEqual(keyArn);
    expect(operatorKms('defaults')).toEqual([]);
  });

  test('without the key option nothing is customer-managed', () => {
    for (const name of ['defaults', 'everything']) {
      const { resources } = synth(name);
      expect(ofType(resources, 'AWS::KMS::Key')).toHaveLength(0);
      expect(ofType(resources, 'AWS::DynamoDB::Table')[0].Properties.SSESpecification).toEqual({ SSEEnabled: true });
      expect(ofType(resources, 'AWS::SecretsManager::Secret')[0].Properties.KmsKeyId).toBeUndefined();
      expect(ofType(resources, 'AWS::Logs::LogGroup').every((g) => g.Properties.KmsKeyId === undefined)).toBe(true);
    }
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
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [{ prefix: 'AUDIT#' }] } } } }) }] },
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
    // Every SQS action, not a list of them, is refused without TLS (cdk-nag AwsSolutions-SQS4).
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ],
      },
    });
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
