import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { belongsTo, directoryOption, requireDirectory, withinDirectory } from './directory-tokens';
import { FileTokenStore, SecretsManagerTokenStore, secretArnOfStack, type TokenStore } from './stores';
import { DEFAULT_EXPIRY_DAYS, DEFAULT_GRACE_HOURS, isActive, issueToken, revokeToken, rotateTokens, TokenSetError, type Issued } from './token-set';

/** The local endpoint's tokens file inside its data folder. */
export const LOCAL_TOKENS_FILE = 'tokens.json';

export const USAGE = `Usage: npm run token -- <create|list|revoke <id>|rotate> <target> [options]

Target (exactly one):
  --stack <name>       the deployed stack's secret (its TokenSecretArn output)
  --secret <id>        a token secret by ARN or name
  --local              the local endpoint's tokens (<data dir>/${LOCAL_TOKENS_FILE})
  --data-dir <dir>     with --local: the data folder (default: $SCIM_DATA_DIR or .scim-local)

Options:
  --directory ID       the directory the token belongs to (npm run directory -- list); default:
                       the deployment's own, at /scim/v2. At most two active tokens per directory.
  --expires-in-days N  lifetime of a new token (default ${DEFAULT_EXPIRY_DAYS})
  --grace-hours N      rotate: how long the old token keeps working (default ${DEFAULT_GRACE_HOURS})

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
        'expires-in-days': { type: 'string' },
        'grace-hours': { type: 'string' },
        directory: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, id, ...extra] = positionals;
    if (values.help || !command) {
      output.out(USAGE);
      return values.help ? 0 : 2;
    }
    if (extra.length > 0 || (command !== 'revoke' && id !== undefined)) throw new TokenSetError(`Unexpected argument: ${[id, ...extra].filter(Boolean).join(' ')}`);
    const store = await storeFor(values, env);
    const days = integerOption(values['expires-in-days'], DEFAULT_EXPIRY_DAYS, '--expires-in-days', 1, 3650);
    const directory = directoryOption(values.directory);
    const inDirectory = directory === undefined ? '' : ` of directory ${directory}`;
    switch (command) {
      case 'list': {
        const records = (await store.read()).filter((r) => values.directory === undefined || belongsTo(r, directory));
        output.out(`Tokens${inDirectory} in ${store.description}:`);
        if (records.length === 0) output.out('  (none)');
        for (const r of records) {
          output.out(
            `  ${r.id.padEnd(20)} ${isActive(r, now) ? 'active ' : 'expired'}  created ${r.createdAt ?? '-'}  expires ${r.expiresAt ?? 'never'}  directory ${r.directory ?? 'default'}`,
          );
        }
        return 0;
      }
      case 'create':
      case 'rotate': {
        const grace = integerOption(values['grace-hours'], DEFAULT_GRACE_HOURS, '--grace-hours', 0, 2160);
        const issued = await store.updateDocument((document) => {
          requireDirectory(document, directory);
          let next: Issued | undefined;
          const tokens = withinDirectory(document.tokens, directory, (mine) => {
            next = command === 'create' ? issueToken(mine, now, days) : rotateTokens(mine, now, grace, days);
            return next.records;
          });
          const record = tokens.find((r) => r.id === next!.record.id)!;
          return { document: { ...document, tokens }, result: { ...next!, record, records: tokens.filter((r) => belongsTo(r, directory)) } };
        });
        output.out(`New token ${issued.record.id}${inDirectory} in ${store.description}, expires ${issued.record.expiresAt}.`);
        output.out('Copy it now: it is shown only this once, and only its SHA-256 is kept.');
        output.out('');
        output.out(`  ${issued.token}`);
        output.out('');
        if (command === 'rotate') {
          const old = issued.records.filter((r) => r.id !== issued.record.id);
          for (const r of old) output.out(`Token ${r.id} keeps working until ${r.expiresAt}: update the identity provider before then.`);
        }
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
        output.out(`Revoked ${id} in ${store.description}. Deployed functions refuse it within 60 seconds; the local endpoint at once.`);
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
