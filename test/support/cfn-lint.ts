import { execFileSync, spawnSync } from 'node:child_process';

/** One finding of cfn-lint's JSON output. */
export interface LintFinding {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Rule: { readonly Id: string };
}

/**
 * Runs cfn-lint on a template file and returns its findings. cfn-lint is a test requirement
 * (.ci/run installs it): when it is missing this throws, it never passes silently.
 */
export function cfnLint(templateFile: string): LintFinding[] {
  const which = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (which.error || which.status !== 0) {
    throw new Error('cfn-lint is not installed: run .ci/run, or install it (pip install cfn-lint)');
  }
  try {
    const out = execFileSync('cfn-lint', ['--format', 'json', '--', templateFile], { encoding: 'utf8', timeout: 120_000 });
    return out.trim() ? (JSON.parse(out) as LintFinding[]) : [];
  } catch (error) {
    // cfn-lint exits non-zero when it finds something; its findings are still on stdout.
    const stdout = (error as { stdout?: string }).stdout ?? '';
    if (!stdout.trim().startsWith('[')) throw error;
    return JSON.parse(stdout) as LintFinding[];
  }
}
