import { checkTable, repairKeys, repairOrphans, type ConsistencyReport } from '../lambda/store/consistency';
import { createDocumentClient } from '../lambda/store/client';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../lib/local/dynamodb-local';

/**
 * `npm run check:consistency -- --table <name> [--directory <id>] [--endpoint <url>] [--region <r>] [--repair] [--json]`
 *
 * Scans the table and checks every invariant of the data model (lambda/store/consistency.ts);
 * with --directory, of that directory only (its findings, its figures, its repairs).
 * Without --endpoint it reads the deployed table with the standard AWS credential chain;
 * with one (DynamoDB Local) any credentials do. --repair removes orphaned member items, moves
 * guards and index keys written before unique names were compared by uniqueKey, writes or removes
 * the IIC profile's claim guards that disagree with their resources, and checks again. Exit code: 0 consistent, 1 findings remain, 2 bad arguments or no access.
 */
const USAGE = 'usage: check-consistency --table <name> [--directory <id>] [--endpoint <url>] [--region <region>] [--repair] [--json]';

interface Args {
  table: string;
  directory?: string;
  endpoint?: string;
  region?: string;
  repair: boolean;
  json: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Partial<Args> = { repair: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value.`);
      return v;
    };
    if (flag === '--table') args.table = value();
    else if (flag === '--directory') args.directory = value();
    else if (flag === '--endpoint') args.endpoint = value();
    else if (flag === '--region') args.region = value();
    else if (flag === '--repair') args.repair = true;
    else if (flag === '--json') args.json = true;
    else throw new Error(`Unknown argument "${flag}".`);
  }
  if (!args.table) throw new Error('--table is required.');
  return args as Args;
}

function summary(report: ConsistencyReport): string {
  const s = report.scanned;
  const lines = [
    `scanned ${s.items} items: ${s.users} users, ${s.groups} groups, ${s.guards} guards, ${s.members} members, ${s.counterShards} counter shards, ${s.audit} audit items`,
  ];
  const byKind = new Map<string, number>();
  for (const f of report.findings) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  if (byKind.size === 0) lines.push('consistent: no findings');
  for (const [kind, n] of byKind) lines.push(`${kind}: ${n}`);
  for (const f of report.findings.slice(0, 200)) lines.push(`  ${f.kind}  ${f.pk} / ${f.sk}  ${f.detail}`);
  if (report.findings.length > 200) lines.push(`  ... and ${report.findings.length - 200} more`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const local = args.endpoint !== undefined && !process.env.AWS_ACCESS_KEY_ID;
  const client = createDocumentClient({
    endpoint: args.endpoint,
    region: args.region ?? process.env.AWS_REGION ?? (args.endpoint ? LOCAL_REGION : undefined),
    credentials: local ? LOCAL_CREDENTIALS : undefined,
  });
  try {
    let report = await checkTable(client, args.table, args.directory);
    if (args.repair && (report.findings.length > 0 || report.scanned.staleGroupIds > 0)) {
      const repaired = (await repairOrphans(client, args.table, report)) + (await repairKeys(client, args.table, report));
      if (!args.json) process.stdout.write(`${summary(report)}\nrepaired ${repaired} item(s); checking again\n`);
      report = await checkTable(client, args.table, args.directory);
    }
    process.stdout.write((args.json ? JSON.stringify(report) : summary(report)) + '\n');
    return report.findings.length === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`check-consistency: ${(error as Error).name}: ${(error as Error).message}\n`);
    return 2;
  } finally {
    client.destroy();
  }
}

main().then((code) => process.exit(code));
