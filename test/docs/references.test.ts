import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CONTEXT_KEYS, ScimEndpointStack } from '../../lib/scim-endpoint-stack';

/**
 * Docs that stay true: every link, anchor, npm script, file path and context key that
 * README.md and the pages under docs/ (and bench/, events/) name exists, so that a renamed
 * script, a moved file or a broken link fails CI instead of misleading a reader. And the
 * counts the security sheet states are those of the synthesized template.
 */
const ROOT = path.join(__dirname, '..', '..');
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`), 'bench/README.md', 'events/README.md'];
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const scripts = Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>);

/** GitHub's anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces to `-`, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Text outside fenced code blocks, and the code blocks, apart. */
const prose = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '');
const codeBlocks = (markdown: string) => [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]);

/** Paths generated at build or run time, which a fresh clone does not have. */
const GENERATED = /^(cdk\.out|dist|\.scim-local|node_modules|coverage|bench\/results\/latest)/;

describe.each(DOCS)('%s', (doc) => {
  const text = read(doc);

  test('every relative link points at a file that exists, and every #anchor at a heading of it', () => {
    const broken: string[] = [];
    for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:)/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const resolved = file === '' ? doc : path.normalize(path.join(path.dirname(doc), file));
      if (!fs.existsSync(path.join(ROOT, resolved))) {
        broken.push(`${target} (no ${resolved})`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(anchor)) broken.push(`${target} (no heading #${anchor} in ${resolved})`);
    }
    expect(broken).toEqual([]);
  });

  test('every npm script it names is in package.json', () => {
    const named = [...text.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]);
    for (const [, lifecycle] of text.matchAll(/\bnpm (start|test)\b/g)) named.push(lifecycle);
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  test('every repository path it names in backticks exists', () => {
    const missing: string[] = [];
    for (const [, quoted] of text.matchAll(/`([^`\s]+)`/g)) {
      const candidate = quoted.replace(/[),.:;]+$/, '').replace(/^\.\//, '');
      if (!/^(bin|lib|lambda|test|bench|docs|events|console|\.ci)\/[\w./-]*$|^(package\.json|cdk\.json|tsconfig\.json|tsconfig\.lib\.json|LICENSE|README\.md|jest\.config\.js)$/.test(candidate)) continue;
      if (GENERATED.test(candidate)) continue;
      if (!fs.existsSync(path.join(ROOT, candidate))) missing.push(candidate);
    }
    expect(missing).toEqual([]);
  });

  test('every CDK context key it names is one the app reads', () => {
    const known = new Set<string>(Object.values(CONTEXT_KEYS));
    // A URN such as `urn:scim-endpoint:api:messages:2.0:AuditList` is a schema name, not a context key.
    const named = [...text.matchAll(/(?<!urn:)\bscim-endpoint:(\w+)/g)].map((m) => `scim-endpoint:${m[1]}`);
    expect(named.filter((key) => !known.has(key))).toEqual([]);
  });
});

test("README.md's layout names only folders and files that exist", () => {
  const layout = codeBlocks(read('README.md')).find((block) => block.startsWith('bin/'))!;
  expect(layout).toBeDefined();
  const missing: string[] = [];
  let top = '';
  let sub = '';
  for (const line of layout.split('\n')) {
    // `bin/ …` opens a top folder, `  handlers/ …` (two spaces) one inside it; other lines go on.
    const opened = /^( *)(\S+\/)(?=\s|$)/.exec(line);
    let rest = line;
    if (opened && opened[1].length <= 2) {
      if (opened[1].length === 0) [top, sub] = [opened[2], ''];
      else sub = opened[2];
      if (!fs.existsSync(path.join(ROOT, top + sub))) missing.push(top + sub);
      rest = line.slice(opened[0].length);
    }
    // Each `·`-separated item starts with the name of a file or folder there, or is prose.
    for (const item of rest.split(' · ')) {
      const name = item.trim().split(/\s+/)[0] ?? '';
      if (!/^[\w.-]+(\.(ts|md|json)|\/)$/.test(name)) continue;
      if (!fs.existsSync(path.join(ROOT, top + sub, name))) missing.push(top + sub + name);
    }
  }
  expect(missing).toEqual([]);
});

test('the alarm count of docs/security.md is that of the synthesized template, with and without change events', () => {
  const claim = /\| AWS::CloudWatch::Alarm \| (\d+) \((\d+) with change events\) \|/.exec(read('docs/security.md'));
  expect(claim).not.toBeNull();
  const count = (changeEvents: boolean) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scim-docs-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new ScimEndpointStack(app, 'Docs', { changeEvents });
      return Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };
  expect([count(false), count(true)]).toEqual([Number(claim![1]), Number(claim![2])]);
});
