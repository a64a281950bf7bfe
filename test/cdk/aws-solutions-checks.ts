import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag's AwsSolutions pack over a synthesized construct tree, and the acknowledgments the
 * constructs record for it (lib/constructs/nag-acknowledgments.ts), for the CDK tests.
 */

/** One finding: its rule id (with the finding in brackets for IAM5), its level and the resource's construct path. */
export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/** One acknowledgment as recorded in the tree. */
export interface NagAcknowledgmentRecord {
  readonly id: string;
  readonly reason: string;
  readonly path: string;
}

function findingsOf(pack: AwsSolutionsChecks, scope: IConstruct): NagFinding[] {
  const report = pack.validateScope(scope);
  return report.violations
    .flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, severity: v.severity ?? 'error', path: r.constructPath ?? '?' })))
    .sort((a, b) => `${a.rule} ${a.path}`.localeCompare(`${b.rule} ${b.path}`));
}

/** What the pack finds that nobody acknowledged, errors and warnings alike, as `<severity> <rule> at <path>`. */
export function awsSolutionsFindings(scope: IConstruct): string[] {
  return findingsOf(new AwsSolutionsChecks(), scope).map((f) => `${f.severity} ${f.rule} at ${f.path}`);
}

/** The pack as if nothing were acknowledged. */
class EveryAwsSolutionsFinding extends AwsSolutionsChecks {}
// cdk-nag (3.0.2, pinned) asks this private method about each finding; answering no shows the acknowledged ones too.
// Should a new version drop it, nothing would be raised here and the test that uses this fails rather than passes.
Object.defineProperty(EveryAwsSolutionsFinding.prototype, 'isAcknowledged', { value: () => false });

/** Every finding the pack would raise with no acknowledgment at all. */
export function everyAwsSolutionsFinding(scope: IConstruct): NagFinding[] {
  return findingsOf(new EveryAwsSolutionsFinding(), scope);
}

/** Every acknowledgment recorded in the tree (CDK's `Validations.acknowledge` metadata), with the construct it is on. */
export function nagAcknowledgments(scope: IConstruct): NagAcknowledgmentRecord[] {
  return scope.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        // CDK files an id without a plugin prefix under "Annotation::"; cdk-nag reads it without.
        .map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason, path: construct.node.path })),
    );
}

/** The rows (rule id in backticks, where, reason) of the table under `heading` in a Markdown page. */
export function documentedAcknowledgments(markdown: string, heading: string): Array<{ id: string; reason: string }> {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const section = markdown.slice(start + heading.length + 2).split(/\n#{1,6} /)[0];
  return section
    .split('\n')
    .filter((line) => /^\|\s*`AwsSolutions-/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
      if (cells.length !== 3) throw new Error(`a row of "${heading}" has ${cells.length} cells, not 3: ${line}`);
      return { id: cells[0].replace(/^`|`$/g, ''), reason: cells[2] };
    });
}
