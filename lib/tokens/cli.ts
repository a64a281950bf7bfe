import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DIRECTORY, type TokenRecord, type TokenScope } from '../../lambda/http/auth';
import { belongsTo, directoryOption, requireDirectory, withinDirectory } from './directory-tokens';
import { FileTokenStore, SecretsManagerTokenStore, secretArnOfStack, type TokenStore } from './stores';
import {
  DEFAULT_EXPIRY_DAYS,
  DEFAULT_GRACE_HOURS,
  isActive,
  issueToken,
  nameOf,
  revokeToken,
  rotateTokens,
  scopeOf,
  TokenSetError,
  type Issued,
} from './token-set';

/** The local endpoint's tokens file inside its data folder. */
export const LOCAL_TOKENS_FILE = 'tokens.json';

export const USAGE = `Usage: npm run token -- <command> <target> [options]

Commands:
  create --name NAME [--scope provision|read] [--days N] [--directory ID]
                       a new token, shown once (NAME, e.g. okta-prod, is what the audit calls it)
  list                 id, name, scope, directory, state, created, expires (never a token or its hash)
  revoke <id>          the token stops working (deployed: within 60 s; locally: at once)
  rotate [--grace-hours N] [--days N]
                       a new token with the active one's name and scope; the old one keeps working N hours

Target (exactly one):
  --stack <name>       the deployed stack's secret (its TokenSecretArn output)
  --secret <id>        a token secret by ARN or name
  --local              the local endpoint's tokens (<data dir>/${LOCAL_TOKENS_FILE})
  --data-dir <dir>     with --local: the data folder (default: $SCIM_DATA_DIR or .scim-local)

Options:
  --directory ID       the directory the token belongs to (npm run directory -- list); default:
                       the deployment's own, at /scim/v2. At most two active tokens per directory.
  --name NAME          create (and rotate, to rename): 1-64 letters, digits, ".", "_" or "-"
  --scope SCOPE        provision (default: everything the SCIM API allows) or read (GET, .search, discovery, the audit)
  --days N             lifetime of a new token in days (default ${DEFAULT_EXPIRY_DAYS}; also --expires-in-days)
  --grace-hours N      rotate: how long the old token keeps working (default ${DEFAULT_GRACE_HOURS})
  --json               machine-readable output: create and rotate print one JSON object, list one per token

AWS credentials and region come from the standard chain (AWS_PROFILE, AWS_REGION, ...).`;

/** What the CLI writes; tests capture it. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Runs one CLI invocation; returns the exit code. Errors are shown as one line, never a stack trace. */
export async function runTokenCli(argv: string[], output: Output, env: NodeJS.ProcessEnv = process.env, now = new Date()): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        stack: { type: 'string' },
        secret: { type: 'string' },
        local: { type: 'boolean' },
        'data-dir': { type: 'string' },
        name: { type: 'string' },
        scope: { type: 'string' },
        days: { type: 'string' },
        'expires-in-days': { type: 'string' },
        'grace-hours': { type: 'string' },
        directory: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, id, ...extra] = positionals;
    if (values.help || !command) {
      output.out(USAGE);
      return values.help ? 0 : 2;
    }
    if (extra.length > 0 || (command !== 'revoke' && id !== undefined)) throw new TokenSetError(`Unexpected argument: ${[id, ...extra].filter(Boolean).join(' ')}`);
    if (values.days !== undefined && values['expires-in-days'] !== undefined) throw new TokenSetError('Give --days or --expires-in-days, not both.');
    if ((values.name !== undefined || values.scope !== undefined) && command !== 'create' && command !== 'rotate') {
      throw new TokenSetError('--name and --scope go with create (or rotate).');
    }
    const store = await storeFor(values, env);
    const days = integerOption(values.days ?? values['expires-in-days'], DEFAULT_EXPIRY_DAYS, values.days !== undefined ? '--days' : '--expires-in-days', 1, 3650);
    const scope = values.scope as TokenScope | undefined;
    const json = values.json === true;
    const directory = directoryOption(values.directory);
    const inDirectory = directory === undefined ? '' : ` of directory ${directory}`;
    switch (command) {
      case 'list': {
        const records = (await store.read()).filter((r) => values.directory === undefined || belongsTo(r, directory));
        if (json) {
          for (const r of records) output.out(JSON.stringify(listed(r, now)));
          return 0;
        }
        output.out(`Tokens${inDirectory} in ${store.description}:`);
        if (records.length === 0) output.out('  (none)');
        else output.out(table([['ID', 'NAME', 'SCOPE', 'DIRECTORY', 'STATE', 'CREATED', 'EXPIRES'], ...records.map((r) => row(listed(r, now)))]));
        return 0;
      }
      case 'create':
      case 'rotate': {
        if (command === 'create' && values.name === undefined) throw new TokenSetError('create needs --name NAME: what the audit trail calls the token (e.g. jumpcloud, okta-prod, hr-reader).');
        const grace = integerOption(values['grace-hours'], DEFAULT_GRACE_HOURS, '--grace-hours', 0, 2160);
        const issued = await store.updateDocument((document) => {
          requireDirectory(document, directory);
          let next: Issued | undefined;
          const tokens = withinDirectory(document.tokens, directory, (mine) => {
            next =
              command === 'create'
                ? issueToken(mine, now, days, { name: values.name!, scope })
                : rotateTokens(mine, now, grace, days, { name: values.name, scope });
            return next.records;
          });
          const record = tokens.find((r) => r.id === next!.record.id)!;
          return { document: { ...document, tokens }, result: { ...next!, record, records: tokens.filter((r) => belongsTo(r, directory)) } };
        });
        const old = command === 'rotate' ? issued.records.filter((r) => r.id !== issued.record.id) : [];
        if (json) {
          output.out(JSON.stringify({ ...created(issued), ...(command === 'rotate' ? { keepsWorking: old.map((r) => ({ id: r.id, name: nameOf(r), until: r.expiresAt })) } : {}) }));
          return 0;
        }
        const r = issued.record;
        output.out(`New token ${r.id} (name ${nameOf(r)}, scope ${scopeOf(r)})${inDirectory} in ${store.description}, expires ${r.expiresAt}.`);
        output.out('Copy it now: it is shown only this once, and only its SHA-256 is kept.');
        output.out('');
        output.out(`  ${issued.token}`);
        output.out('');
        for (const o of old) output.out(`Token ${o.id} keeps working until ${o.expiresAt}: update the identity provider before then.`);
        return 0;
      }
      case 'revoke': {
        if (!id) throw new TokenSetError('revoke needs the id of a token (see list).');
        await store.update((records) => {
          // With --directory, the id must be one of that directory's tokens.
          if (values.directory !== undefined && records.some((r) => r.id === id && !belongsTo(r, directory))) {
            throw new TokenSetError(`Token "${id}" does not belong to directory ${values.directory}.`);
          }
          return { records: revokeToken(records, id), result: undefined };
        });
        if (json) output.out(JSON.stringify({ revoked: id }));
        else output.out(`Revoked ${id} in ${store.description}. Deployed functions refuse it within 60 seconds; the local endpoint at once.`);
        return 0;
      }
      default:
        throw new TokenSetError(`Unknown command "${command}".\n${USAGE}`);
    }
  } catch (error) {
    output.err(`token: ${describe(error)}`);
    return 1;
  }
}

/** What `create --json` prints: the token (this once) and what is kept of it, never its hash. */
export function created(issued: Pick<Issued, 'token' | 'record'>) {
  const r = issued.record;
  return { id: r.id, name: nameOf(r), scope: scopeOf(r), directory: directoryOf(r), token: issued.token, createdAt: r.createdAt, expiresAt: r.expiresAt };
}

/** A token as `list` shows it. */
function listed(r: TokenRecord, now: Date) {
  return {
    id: r.id,
    name: nameOf(r),
    scope: scopeOf(r),
    directory: directoryOf(r),
    state: isActive(r, now) ? 'active' : 'expired',
    createdAt: r.createdAt ?? null,
    expiresAt: r.expiresAt ?? null,
  };
}

/** The directory a record belongs to, as the CLI names it: `default` for the deployment's own. */
const directoryOf = (r: TokenRecord) => r.directory ?? DEFAULT_DIRECTORY;

const row = (r: ReturnType<typeof listed>) => [r.id, r.name, r.scope, r.directory, r.state, r.createdAt ?? '-', r.expiresAt ?? 'never'];

/** Columns padded to their widest cell, indented two spaces. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`).join('\n');
}

async function storeFor(values: { stack?: string; secret?: string; local?: boolean; 'data-dir'?: string }, env: NodeJS.ProcessEnv): Promise<TokenStore> {
  const chosen = [values.stack !== undefined, values.secret !== undefined, values.local === true].filter(Boolean).length;
  if (chosen !== 1) throw new TokenSetError('Choose exactly one target: --stack <name>, --secret <id> or --local.');
  if (values.local) return new FileTokenStore(join(resolve(values['data-dir'] ?? env.SCIM_DATA_DIR ?? '.scim-local'), LOCAL_TOKENS_FILE));
  if (values['data-dir'] !== undefined) throw new TokenSetError('--data-dir goes with --local.');
  return new SecretsManagerTokenStore(values.secret ?? (await secretArnOfStack(values.stack!)));
}

/** A whole number from `min` to `max`: "1.5" or "1e3" days is refused, not rounded into something else. */
function integerOption(text: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim())) throw new TokenSetError(`${name} must be a whole number from ${min} to ${max}; got "${text}".`);
  const value = Number(text.trim());
  if (value < min || value > max) throw new TokenSetError(`${name} must be a whole number from ${min} to ${max}; got ${value}.`);
  return value;
}

/** One line: our refusals as they are, AWS errors by name and message (they never carry a token). */
function describe(error: unknown): string {
  if (error instanceof TokenSetError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
