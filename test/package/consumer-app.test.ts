import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FUNCTION_ROUTES } from '../../lambda/handlers/routes';
import { bundleName, FUNCTION_ENTRIES } from '../../lib/constructs/bundling';
import { TABLE_ACTIONS, TABLE_READ_ACTIONS } from '../../lib/constructs/scim-endpoint';
import { cfnLint } from '../support/cfn-lint';

/**
 * The construct as a library, the way a platform team uses it: `npm pack` makes the tarball,
 * which is installed into a fresh CDK app outside this repository (its own package.json, with
 * only aws-cdk-lib and constructs, at the versions this repository uses, from the npm cache),
 * whose TypeScript puts `new ScimEndpoint(stack, 'Scim', {...})` next to a bucket and a table
 * of its own. Its synth must work without esbuild and without these sources, and give every
 * function its code and exactly the grants it needs.
 */
const ROOT = path.join(__dirname, '..', '..');
/** Runs a command; a failure says what it printed. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`.slice(0, 4000));
  }
}
const versionOf = (name: string): string => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

/** What the consumer writes: an app with resources of its own and the endpoint beside them. */
const APP_TS = `
import { App, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ScimEndpoint, type ScimEndpointProps } from 'scim-endpoint';

const app = new App();
const stack = new Stack(app, 'PlatformStack', { env: { account: '123456789012', region: 'eu-west-1' } });
// The app's own resources: the endpoint must neither change nor be granted anything on them.
new s3.Bucket(stack, 'AppBucket', { enforceSSL: true, removalPolicy: RemovalPolicy.RETAIN });
new dynamodb.Table(stack, 'AppTable', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
});
const props: ScimEndpointProps = { stageName: 'prod', alarmEmail: 'oncall@example.com', compatibilityProfile: 'aws-iam-identity-center' };
const scim = new ScimEndpoint(stack, 'Scim', props);
new CfnOutput(stack, 'ScimBaseUrl', { value: scim.baseUrl });
new CfnOutput(stack, 'ScimTokenSecretArn', { value: scim.tokenSecret.secretArn });
app.synth();
`;

/**
 * The functions of the consumer's endpoint (no change events), by the start of their logical
 * id: the SCIM ones, the edge authorizer and the daily token expiry check.
 */
const DEPLOYED: readonly { prefix: string; entry: string; usesTable: boolean; tableActions?: readonly string[] }[] = [
  // A function that only reads the table (the Audit function) may only Query it.
  ...FUNCTION_ROUTES.map((r) => ({ prefix: `Scim${r.id}`, entry: r.entry, usesTable: r.usesTable ?? true, tableActions: r.tableAccess === 'read' ? TABLE_READ_ACTIONS : TABLE_ACTIONS })),
  { prefix: 'ScimEdgeAuthAuthorizer', entry: 'lambda/handlers/authorizer.ts', usesTable: false },
  { prefix: 'ScimTokenAlarmsExpiryCheck', entry: 'lambda/handlers/token-expiry.ts', usesTable: false },
];
const deployedAs = (logicalId: string) => {
  const found = DEPLOYED.filter((d) => logicalId.startsWith(d.prefix));
  expect([logicalId, found.length]).toEqual([logicalId, 1]);
  return found[0];
};

type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

describe('the npm package in a CDK app of its own', () => {
  jest.setTimeout(600_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-consumer-'));
  const appDir = path.join(work, 'platform-app');
  const outdir = path.join(appDir, 'cdk.out');
  let packed: { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };
  let resources: Record<string, Resource>;
  let synthMs: number;
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  beforeAll(() => {
    // npm pack runs prepack (bin/build-package.ts): the compiled construct, the bundles, the CLI.
    [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT));
    fs.mkdirSync(appDir);
    fs.writeFileSync(
      path.join(appDir, 'package.json'),
      JSON.stringify({ name: 'platform-app', private: true, dependencies: { 'aws-cdk-lib': versionOf('aws-cdk-lib'), constructs: versionOf('constructs') } }, null, 2),
    );
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(work, packed.filename)], appDir);
    fs.writeFileSync(path.join(appDir, 'app.ts'), APP_TS);
    // The type check is the consumer's too: the package's .d.ts files, against the app's own aws-cdk-lib.
    const compilerOptions = { strict: true, target: 'es2022', module: 'commonjs', moduleResolution: 'node', types: [], skipLibCheck: true, outDir: '.' };
    fs.writeFileSync(path.join(appDir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['app.ts'] }));
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', appDir], appDir);
    const started = Date.now();
    run(process.execPath, ['app.js'], appDir, { PATH: process.env.PATH, HOME: work, CDK_OUTDIR: outdir });
    synthMs = Date.now() - started;
    resources = JSON.parse(fs.readFileSync(path.join(outdir, 'PlatformStack.template.json'), 'utf8')).Resources;
    process.stdout.write(
      `package ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${packed.entryCount} files; consumer synth ${synthMs} ms\n`,
    );
  });

  test('the package carries the compiled construct, its types, the bundles, the token CLI, LICENSE and README, and nothing else', () => {
    const files = packed.files.map((f) => f.path);
    const allowed = [/^dist\/(lib|lambda)\/.+\.(js|d\.ts)$/, /^dist\/functions\/[a-z-]+\/(index|chunks\/[\w-]+)\.mjs$/, /^dist\/bin\/token\.mjs$/, /^(LICENSE|README\.md|package\.json)$/];
    expect(files.filter((file) => !allowed.some((re) => re.test(file)))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/bin/token.mjs']));
    for (const { entry } of FUNCTION_ENTRIES) expect(files).toContain(`dist/functions/${bundleName(entry)}/index.mjs`);
    // No source, test, bench, console or build output of the repository.
    expect(files.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  });

  test('the types a consumer reaches from the entry point need nothing but aws-cdk-lib and constructs', () => {
    const pkg = path.join(appDir, 'node_modules', 'scim-endpoint');
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      // Statements only: a doc comment may quote an import.
      const code = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const [, fromClause, dynamic] of code.matchAll(/^\s*(?:import|export)\b[^;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/gm)) {
        const specifier = fromClause ?? dynamic;
        if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), `${specifier}.d.ts`));
        else external.add(specifier.split('/')[0]);
      }
    };
    visit(path.join(pkg, 'dist', 'lib', 'index.d.ts'));
    expect(seen.size).toBeGreaterThan(5);
    expect([...external].sort()).toEqual(['aws-cdk-lib', 'constructs']);
  });

  test('the app installs only aws-cdk-lib, constructs and the package: no esbuild, no AWS SDK, no Powertools, no sources', () => {
    const installed = fs.readdirSync(path.join(appDir, 'node_modules'));
    for (const absent of ['esbuild', '@esbuild', '@aws-sdk', '@aws-lambda-powertools', 'typescript', 'tsx']) expect(installed).not.toContain(absent);
    const pkg = path.join(appDir, 'node_modules', 'scim-endpoint');
    expect(fs.existsSync(path.join(pkg, 'lambda'))).toBe(false);
    expect(fs.existsSync(path.join(pkg, 'lib'))).toBe(false);
  });

  test('every function has its code: the prebuilt bundle, an ESM entry exporting the handler', () => {
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(DEPLOYED.length);
    const keys = new Set<string>();
    for (const [id, fn] of functions) {
      const key: string = fn.Properties.Code.S3Key;
      keys.add(key);
      const asset = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const code = fs.readFileSync(path.join(asset, 'index.mjs'), 'utf8');
      expect([id, /export\s*\{[^}]*\bhandler\b[^}]*\}/.test(code)]).toEqual([id, true]);
      expect(fn.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x' });
      // Byte for byte the bundle the package ships.
      const { entry } = deployedAs(id);
      const shipped = path.join(appDir, 'node_modules', 'scim-endpoint', 'dist', 'functions', bundleName(entry), 'index.mjs');
      expect([id, code === fs.readFileSync(shipped, 'utf8')]).toEqual([id, true]);
    }
    expect(keys.size).toBe(DEPLOYED.length);
  });

  test("each function's role may use the endpoint's table and secret as the stack's do, and nothing of the app's", () => {
    const byType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
    const [scimTable] = byType('AWS::DynamoDB::Table').filter(([id]) => id.startsWith('Scim')).map(([id]) => id);
    const [appTable] = byType('AWS::DynamoDB::Table').filter(([id]) => id.startsWith('AppTable')).map(([id]) => id);
    const [secret] = byType('AWS::SecretsManager::Secret').map(([id]) => id);
    const [bucket] = byType('AWS::S3::Bucket').map(([id]) => id);
    expect([scimTable, appTable, secret, bucket].every(Boolean)).toBe(true);

    for (const [id, fn] of byType('AWS::Lambda::Function')) {
      const role = fn.Properties.Role['Fn::GetAtt'][0];
      const statements: Statement[] = byType('AWS::IAM::Policy')
        .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
      const text = JSON.stringify(statements);
      expect([id, text.includes(appTable) || text.includes(bucket)]).toEqual([id, false]);
      const actions = statements.flatMap((s) => [s.Action].flat());
      expect(statements.find((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))?.Resource).toEqual({ Ref: secret });
      const { usesTable, tableActions } = deployedAs(id);
      const tableStatement = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'));
      if (usesTable) {
        expect([id, [...[tableStatement!.Action].flat()].sort()]).toEqual([id, [...tableActions!].sort()]);
        expect(JSON.stringify(tableStatement!.Resource)).toContain(scimTable);
      } else {
        expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
      }
      expect(actions).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']));
    }
    // The app's own resources are as the app declared them.
    expect(resources[appTable].Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  test("the dashboard and the alarms come along, and the consumer's template passes cfn-lint", () => {
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(0);
    const findings = cfnLint(path.join(outdir, 'PlatformStack.template.json')).filter((f) => f.Rule.Id !== 'W3005');
    expect(findings.map((f) => `${f.Rule.Id} ${f.Message}`)).toEqual([]);
  });

  test('the token CLI comes with the package and runs with nothing else installed', () => {
    const cli = path.join(appDir, 'node_modules', '.bin', 'scim-endpoint-token');
    const data = path.join(work, 'tokens');
    const created = run(cli, ['create', '--name', 'jumpcloud', '--local', '--data-dir', data], appDir, { PATH: process.env.PATH, HOME: work });
    expect(created).toMatch(/token/i);
    const listed = run(cli, ['list', '--local', '--data-dir', data], appDir, { PATH: process.env.PATH, HOME: work });
    expect(listed).toMatch(/tokens\.json/);
    // The name and scope the audit trail will name the token by.
    expect(listed).toMatch(/jumpcloud\s+provision/);
  });
});
