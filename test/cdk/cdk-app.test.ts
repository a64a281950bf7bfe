import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FUNCTION_ROUTES } from '../../lambda/handlers/routes';
import { cfnLint } from '../support/cfn-lint';

/**
 * The CDK app as `cdk synth` runs it (cdk.json's "app": bin/scim-endpoint.ts with cdk.json's
 * context, handed over through CDK_CONTEXT_JSON and CDK_OUTDIR as the CLI does), so that what
 * the guides name exists: the template file, the stack name and the construct paths that
 * `sam local invoke` accepts as function names. Bundling is skipped (tested elsewhere).
 */
const ROOT = path.join(__dirname, '..', '..');

describe('bin/scim-endpoint.ts as cdk synth runs it', () => {
  jest.setTimeout(180_000);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-app-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  let template: { Resources: Record<string, { Type: string; Metadata?: Record<string, string> }> };
  let manifest: { artifacts: Record<string, { type: string; properties?: { templateFile?: string; stackName?: string } }> };

  beforeAll(() => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
    // The CLI adds path and asset metadata by default; SAM reads both to find a function and its code.
    const context = {
      ...cdkJson.context,
      'scim-endpoint:changeEvents': true,
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
    };
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'bin/scim-endpoint.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 150_000,
    });
    manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    template = JSON.parse(fs.readFileSync(path.join(outdir, 'ScimEndpointStack.template.json'), 'utf8'));
  });

  test('writes cdk.out/ScimEndpointStack.template.json for the stack named ScimEndpoint', () => {
    expect(manifest.artifacts.ScimEndpointStack.properties).toMatchObject({
      templateFile: 'ScimEndpointStack.template.json',
      stackName: 'ScimEndpoint',
    });
  });

  test('the function names events/README.md gives to sam local invoke are construct paths in the template', () => {
    const paths = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Metadata?.['aws:cdk:path'])
      .sort();
    expect(paths).toEqual(
      [
        ...FUNCTION_ROUTES.map((route) => `ScimEndpointStack/ScimEndpoint/${route.id}/Function/Resource`),
        'ScimEndpointStack/ScimEndpoint/ChangeEvents/Publisher/Function/Resource',
        'ScimEndpointStack/ScimEndpoint/EdgeAuth/Authorizer/Function/Resource',
        'ScimEndpointStack/ScimEndpoint/TokenAlarms/ExpiryCheck/Function/Resource',
      ].sort(),
    );
    for (const r of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
      // With bundling skipped the path is the project root; with it, cdk.out/asset.<hash> (tested in scim-endpoint-stack.test.ts).
      expect(r.Metadata).toMatchObject({ 'aws:asset:path': expect.any(String), 'aws:asset:property': 'Code' });
    }
    const readme = fs.readFileSync(path.join(ROOT, 'events', 'README.md'), 'utf8');
    expect(readme).toContain('ScimEndpointStack/ScimEndpoint/Users/Function');
    expect(readme).toContain('cdk.out/ScimEndpointStack.template.json');
  });

  test('the template passes cfn-lint with no error', () => {
    const findings = cfnLint(path.join(outdir, 'ScimEndpointStack.template.json'));
    expect(findings.filter((f) => f.Level === 'Error')).toEqual([]);
  });
});
