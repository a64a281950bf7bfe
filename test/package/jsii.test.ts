import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The public API stays jsii-compatible (so that a Python, Java, .NET or Go CDK app could use
 * the construct through jsii): the jsii compiler builds an assembly from the package's entry
 * point, lib/index.ts, and the source files it reaches. It runs on a copy of those files,
 * since jsii writes its own tsconfig.json and .jsii into the project it compiles.
 */
const ROOT = path.join(__dirname, '..', '..');

/** lib/index.ts and every project file it imports, transitively. */
function closure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = path.normalize(path.join(path.dirname(file), fileName));
      visit(fs.existsSync(path.join(ROOT, `${target}.ts`)) ? `${target}.ts` : path.join(target, 'index.ts'));
    }
  };
  visit(entry);
  return [...seen].sort();
}

describe('the public API under the jsii compiler', () => {
  jest.setTimeout(240_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-jsii-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  let assembly: { types: Record<string, { kind: string; interfaces?: string[]; properties?: Array<{ name: string }> }> };
  let files: string[];

  beforeAll(() => {
    files = closure('lib/index.ts');
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, file), path.join(work, file));
    }
    fs.copyFileSync(path.join(ROOT, 'README.md'), path.join(work, 'README.md'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    fs.writeFileSync(
      path.join(work, 'package.json'),
      JSON.stringify({
        name: pkg.name,
        version: pkg.version,
        description: pkg.description,
        license: pkg.license,
        author: { name: 'scim-endpoint maintainers', organization: true },
        repository: { type: 'git', url: 'https://example.invalid/scim-endpoint.git' },
        main: 'out/lib/index.js',
        types: 'out/lib/index.d.ts',
        peerDependencies: pkg.peerDependencies,
        devDependencies: { 'aws-cdk-lib': pkg.devDependencies['aws-cdk-lib'], constructs: pkg.devDependencies.constructs },
        jsii: { outdir: 'dist', targets: {}, tsc: { outDir: 'out', rootDir: '.' } },
      }),
    );
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'jsii', 'bin', 'jsii'), '--silence-warnings=reserved-word'], {
        cwd: work,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', JSII_SUPPRESS_UPGRADE_PROMPT: '1' },
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`jsii failed:\n${stdout ?? ''}\n${stderr ?? ''}`.slice(0, 6000));
    }
    assembly = JSON.parse(fs.readFileSync(path.join(work, '.jsii'), 'utf8'));
  });

  test('compiles lib/index.ts and what it reaches (the constructs, a handful of lambda/ definitions) into an assembly', () => {
    expect(files).toContain('lib/constructs/scim-endpoint.ts');
    // The construct reads the route table and the table's key schema, and nothing that talks to AWS.
    expect(files.filter((f) => f.startsWith('lambda/')).every((f) => !/store\/dynamo|service\/|handlers\/telemetry/.test(f))).toBe(true);
    expect(fs.existsSync(path.join(work, '.jsii'))).toBe(true);
  });

  test('the assembly has the construct, its props, the stack and the constructs their properties expose', () => {
    const names = Object.keys(assembly.types).map((fqn) => fqn.replace(/^scim-endpoint\./, ''));
    expect(names).toEqual(
      expect.arrayContaining(['ScimEndpoint', 'ScimEndpointProps', 'ScimCustomDomain', 'ScimObservabilityProps', 'ScimEndpointStack', 'ScimEndpointStackProps', 'Monitoring', 'ScimDashboard', 'ChangeEvents', 'ApiWebAcl', 'EdgeAuth', 'TokenAlarms']),
    );
    // Its own properties and those of the interfaces it extends.
    const propertiesOf = (fqn: string): string[] => {
      const type = assembly.types[fqn];
      return [...(type.properties ?? []).map((p) => p.name), ...(type.interfaces ?? []).filter((i) => assembly.types[i]).flatMap(propertiesOf)];
    };
    const props = propertiesOf('scim-endpoint.ScimEndpointProps');
    expect(props).toEqual(expect.arrayContaining(['stageName', 'compatibilityProfile', 'dashboard', 'tracing', 'logLevel', 'metricsNamespace', 'customDomain']));
    // The edge's settings too: a string for each policy name, a map of numbers for the reserved concurrency.
    expect(props).toEqual(
      expect.arrayContaining(['providerRateLimit', 'providerBurstLimit', 'authorizerCacheSeconds', 'tlsSecurityPolicy', 'endpointAccessMode', 'customerManagedKey', 'reservedConcurrency', 'unauthorizedAlarmThreshold', 'throttledAlarmThreshold']),
    );
  });
});
