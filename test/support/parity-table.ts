import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * docs/protocol.md's parity table of the AWS IAM Identity Center profile, generated from
 * test/fixtures/profiles/iic-parity.json: test/http/iic-parity.test.ts runs every case and
 * checks that the page holds exactly this table, so neither can drift from the code.
 *
 *   npx tsx test/support/parity-table.ts --write    rewrites the table in docs/protocol.md
 */

/** One profile's answer to a case. */
export interface ParitySide {
  readonly status: number;
  /** The answer in words for the table; it starts with the status. */
  readonly answer: string;
  readonly expect?: Record<string, unknown>;
  /** Not given yet: the answer the issue asks for, while `now` is asserted until then. */
  readonly pending?: string;
  readonly now?: ParitySide;
  /** The profile differs from IIC on purpose (this side's status is ours), and why. */
  readonly differs?: string;
}

export interface ParityCase {
  readonly behaviour: string;
  readonly source: string;
  /** The item of issue 17 that the row comes from, if any. */
  readonly item?: string;
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly body?: unknown;
    readonly headers?: Record<string, string | null>;
    readonly withoutUserAgent?: boolean;
  };
  /** A server of its own, rate-limited, and how many requests to send at once. */
  readonly server?: { readonly rateLimit: number; readonly burst: number };
  /** What to undo after the case when it succeeded. */
  readonly after?: 'restore-group';
  /** IIC's answer, which the aws-iam-identity-center profile gives (unless pending or differs). */
  readonly profile: ParitySide;
  /** The default (rfc) profile's answer. */
  readonly default: ParitySide;
}

export const FIXTURE_FILE = join(__dirname, '..', 'fixtures', 'profiles', 'iic-parity.json');
export const PROTOCOL_DOC = join(__dirname, '..', '..', 'docs', 'protocol.md');
const START = '<!-- parity table: generated from test/fixtures/profiles/iic-parity.json by test/support/parity-table.ts -->';
const END = '<!-- end of parity table -->';

export function loadParityCases(): ParityCase[] {
  return (JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')) as { cases: ParityCase[] }).cases;
}

/** How many rows the profile matches, has not matched yet, and differs from on purpose. */
export function parityCount(cases: readonly ParityCase[]) {
  const pending = cases.filter((c) => c.profile.pending).length;
  const differs = cases.filter((c) => c.profile.differs).length;
  return { total: cases.length, matched: cases.length - pending - differs, pending, differs };
}

function cell(side: ParitySide): string {
  if (side.pending) return `**not yet**: ${side.answer}; today ${side.now!.answer}; ${side.pending}`;
  if (side.differs) return `${side.answer}, **differs on purpose**: ${side.differs}`;
  return side.answer;
}

/** The Markdown block between the markers: the count, then one row per case. */
export function parityTable(cases: readonly ParityCase[]): string {
  const count = parityCount(cases);
  const rows = cases.map((c, i) => {
    const behaviour = `${c.behaviour}${c.item ? ` (item ${c.item})` : ''}`;
    return `| ${i + 1} | ${[behaviour, c.source, cell(c.profile), cell(c.default)].map((t) => t.replace(/\|/g, '\\|')).join(' | ')} |`;
  });
  return [
    START,
    '',
    `**${count.matched} of ${count.total}** behaviours answered as IIC answers them; ${count.pending} not yet, ${count.differs} different on purpose.`,
    '',
    '| # | behaviour (issue 17 item) | source | `aws-iam-identity-center` (IIC\'s answer) | default `rfc` |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    END,
  ].join('\n');
}

/** The block as docs/protocol.md holds it now, or undefined without the markers. */
export function documentedTable(doc: string = readFileSync(PROTOCOL_DOC, 'utf8')): string | undefined {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  return start < 0 || end < start ? undefined : doc.slice(start, end + END.length);
}

if (require.main === module && process.argv.includes('--write')) {
  const doc = readFileSync(PROTOCOL_DOC, 'utf8');
  const current = documentedTable(doc);
  if (!current) throw new Error(`docs/protocol.md has no parity table markers (${START})`);
  writeFileSync(PROTOCOL_DOC, doc.replace(current, parityTable(loadParityCases())));
  process.stdout.write(`docs/protocol.md: ${JSON.stringify(parityCount(loadParityCases()))}\n`);
}
