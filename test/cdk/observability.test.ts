import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ApplicationLogLevel } from 'aws-cdk-lib/aws-lambda';
import { FUNCTION_ROUTES } from '../../lambda/handlers/routes';
import { DIMENSIONS, METRICS } from '../../lambda/handlers/metric-names';
import { ScimEndpoint, type ScimEndpointProps } from '../../lib/constructs/scim-endpoint';
import { cfnLint } from '../support/cfn-lint';

/**
 * The observability settings on the synthesized template: the dashboard (its metrics, API
 * Gateway's, and every alarm's state, including alarms added after it), tracing, the log
 * level and the metrics' namespace. Bundling is skipped: the bundles do not change any of it.
 */
type Resource = { Type: string; Properties: Record<string, any> };

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-observability-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function synth(props: ScimEndpointProps = {}, after?: (endpoint: ScimEndpoint) => void) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(outdir, 'app-')), context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Observed', { env: { account: '123456789012', region: 'eu-west-1' } });
  const endpoint = new ScimEndpoint(stack, 'Scim', props);
  after?.(endpoint);
  const template = Template.fromStack(stack);
  const resources: Record<string, Resource> = template.toJSON().Resources;
  return { stack, endpoint, template, resources };
}

const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** The dashboard's body as text, every token (a Ref or GetAtt) written as its logical id. */
function dashboardBody(resources: Record<string, Resource>): string {
  const [[, dashboard], ...others] = ofType(resources, 'AWS::CloudWatch::Dashboard');
  expect(others).toHaveLength(0);
  const body = dashboard.Properties.DashboardBody;
  if (typeof body === 'string') return body;
  return (body['Fn::Join'][1] as unknown[])
    .map((part) => (typeof part === 'string' ? part : `<${JSON.stringify(part)}>`))
    .join('');
}

/** The widgets of the body (tokens replaced by placeholders so that it parses). */
function widgets(resources: Record<string, Resource>): any[] {
  const text = dashboardBody(resources).replace(/<\{[^>]*\}>/g, 'TOKEN');
  return JSON.parse(text).widgets;
}

describe('the dashboard', () => {
  const defaults = synth();

  test('exists by default, one for the endpoint, and passes cfn-lint', () => {
    expect(defaults.endpoint.dashboard).toBeDefined();
    const file = path.join(outdir, 'defaults.template.json');
    fs.writeFileSync(file, JSON.stringify(defaults.template.toJSON(), null, 1));
    const findings = cfnLint(file).filter((f) => f.Rule.Id !== 'W3005');
    expect(findings.map((f) => `${f.Rule.Id} ${f.Message}`)).toEqual([]);
  });

  test('graphs every metric the functions publish, with the dimensions they publish it under', () => {
    const body = dashboardBody(defaults.resources);
    const service = 'Observed-Scim';
    const searches: Array<[string, string[]]> = [
      [METRICS.requests, [DIMENSIONS.operation, DIMENSIONS.statusClass]],
      [METRICS.latency, [DIMENSIONS.operation, DIMENSIONS.statusClass]],
      [METRICS.scimErrors, [DIMENSIONS.scimType]],
      [METRICS.dynamoCalls, [DIMENSIONS.dynamoOperation]],
      [METRICS.dynamoLatency, [DIMENSIONS.dynamoOperation]],
      ['ColdStart', ['function_name']],
    ];
    for (const [metric, dimensions] of searches) {
      const search = `SEARCH('{ScimEndpoint,service,${dimensions.join(',')}} MetricName=\\"${metric}\\" service=\\"${service}\\"'`;
      expect(body).toContain(search);
    }
    // The metrics without a dimension of their own, by name under the endpoint's service.
    for (const metric of [METRICS.membersAdded, METRICS.membersRemoved, METRICS.tokenCacheRefreshes]) {
      expect(body).toContain(`["ScimEndpoint","${metric}","service","${service}"`);
    }
  });

  test("shows API Gateway's requests, 4XX, 5XX and latency, and the functions' throttles", () => {
    const body = dashboardBody(defaults.resources);
    for (const metric of ['"Count"', '"4XXError"', '"5XXError"', '"Latency"', '"IntegrationLatency"']) {
      expect(body).toContain(`"AWS/ApiGateway",${metric}`);
    }
    // The SCIM functions and the edge authorizer, which answers before each of them.
    expect(body.match(/"AWS\/Lambda","Throttles"/g)).toHaveLength(FUNCTION_ROUTES.length + 1);
    expect(body).toContain('"AWS/DynamoDB","ThrottledRequests"');
  });

  test("shows the state of every alarm of the monitoring construct, and of one added after the dashboard", () => {
    const late = synth({}, (endpoint) => {
      endpoint.monitoring.add('LateAlarm', new cloudwatch.Metric({ namespace: 'Test', metricName: 'Late', period: Duration.minutes(5) }), 'added after the dashboard');
    });
    const alarmIds = ofType(late.resources, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    expect(alarmIds).toContain(late.stack.getLogicalId(late.endpoint.monitoring.alarms.at(-1)!.node.defaultChild as never));
    const status = widgets(late.resources).filter((w) => w.type === 'alarm');
    expect(status).toHaveLength(1);
    expect(status[0].properties.title).toBe(`Alarms (${alarmIds.length})`);
    const shown = dashboardBody(late.resources).match(/"Fn::GetAtt":\["[A-Za-z0-9]+","Arn"\]/g)!.map((m) => m.split('"')[3]);
    expect(new Set(shown)).toEqual(new Set(alarmIds));
    // The widget grows with the alarms: no alarm is cut off.
    expect(status[0].height).toBeGreaterThanOrEqual(1 + Math.ceil(alarmIds.length / 4) * 2);
  });

  test('goes with dashboard: false', () => {
    const off = synth({ dashboard: false });
    expect(off.endpoint.dashboard).toBeUndefined();
    expect(ofType(off.resources, 'AWS::CloudWatch::Dashboard')).toHaveLength(0);
  });
});

describe('tracing, log level and namespace', () => {
  test('tracing is off by default: no X-Ray on the functions or the stage, POWERTOOLS_TRACE_ENABLED false', () => {
    const { resources, endpoint, stack } = synth();
    for (const route of FUNCTION_ROUTES) {
      const fn = resources[stack.getLogicalId(endpoint.functions[route.id].node.defaultChild as never)];
      expect(fn.Properties.TracingConfig).toBeUndefined();
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('false');
    }
    expect(ofType(resources, 'AWS::ApiGateway::Stage')[0][1].Properties.TracingEnabled).toBe(false);
    expect(JSON.stringify(resources)).not.toContain('xray:');
  });

  test('tracing: true traces every function a request reaches and the stage, and lets them write segments', () => {
    const { resources, endpoint, stack } = synth({ tracing: true, changeEvents: true });
    const functions = ofType(resources, 'AWS::Lambda::Function');
    // The SCIM functions, the publisher, the edge authorizer and the daily expiry check.
    expect(functions).toHaveLength(FUNCTION_ROUTES.length + 3);
    const expiryCheck = stack.getLogicalId(endpoint.tokenAlarms.checker.fn.node.defaultChild as never);
    for (const [id, fn] of functions) {
      // The scheduled check serves no request: nothing to trace.
      expect([id, fn.Properties.TracingConfig]).toEqual([id, id === expiryCheck ? undefined : { Mode: 'Active' }]);
    }
    for (const route of FUNCTION_ROUTES) {
      const fn = resources[stack.getLogicalId(endpoint.functions[route.id].node.defaultChild as never)];
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('true');
    }
    expect(ofType(resources, 'AWS::ApiGateway::Stage')[0][1].Properties.TracingEnabled).toBe(true);
    const xray = ofType(resources, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('xray:')));
    expect(xray.length).toBe(FUNCTION_ROUTES.length + 2);
    for (const statement of xray) expect([statement.Action].flat().sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  test('logLevel sets the application log level of every function but the expiry check, whose metric lines stay INFO', () => {
    const { resources, endpoint, stack } = synth({ logLevel: ApplicationLogLevel.WARN, changeEvents: true });
    const expiryCheck = stack.getLogicalId(endpoint.tokenAlarms.checker.fn.node.defaultChild as never);
    for (const [id, fn] of ofType(resources, 'AWS::Lambda::Function')) {
      // Its EMF lines carry no level, so Lambda files them as INFO: WARN would drop them and silence the expiry alarms.
      expect([id, fn.Properties.LoggingConfig.ApplicationLogLevel]).toEqual([id, id === expiryCheck ? 'INFO' : 'WARN']);
    }
  });

  test('metricsNamespace reaches the functions and the dashboard; a reserved or malformed one is refused', () => {
    const { resources, endpoint, stack } = synth({ metricsNamespace: 'Acme/Scim' });
    // The functions that publish Powertools metrics: the SCIM ones.
    for (const route of FUNCTION_ROUTES) {
      const fn = resources[stack.getLogicalId(endpoint.functions[route.id].node.defaultChild as never)];
      expect(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('Acme/Scim');
    }
    expect(dashboardBody(resources)).toContain("SEARCH('{Acme/Scim,service,");
    expect(() => synth({ metricsNamespace: 'AWS/Lambda' })).toThrow(/metricsNamespace/);
    expect(() => synth({ metricsNamespace: 'has space' })).toThrow(/metricsNamespace/);
  });
});
