import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { directoryBaseUrl, directoryIdProblem, type DirectoryEntry } from '../../lambda/http/directories';
import { PROFILES, type ProfileName } from '../../lambda/scim/profiles/profile';
import type { TokenScope } from '../../lambda/http/auth';
import { created, type Output } from '../tokens/cli';
import { DEFAULT_EXPIRY_DAYS, isActive, issueToken, nameOf, scopeOf, TokenSetError } from '../tokens/token-set';
import { localTarget, stackTarget, type DirectoryTarget } from './targets';

export const USAGE = `Usage: npm run directory -- <command> <target> [options]

Commands:
  create ID [--name NAME] [--profile rfc|aws-iam-identity-center]
         [--token-name NAME] [--token-scope provision|read]
                     a directory with a Base URL of its own (<deployment>/ID/scim/v2), and its
                     first token (named ID unless --token-name), shown once
  list               the directories, their profiles, tokens and Base URLs
  delete ID --yes    every user, group, membership and token of the directory, then the directory

Target (exactly one):
  --stack <name>     the deployed stack (its outputs name the secret, table and usage plan)
  --local            the local endpoint (<data dir>/tokens.json, and its DynamoDB Local)
  --data-dir <dir>   with --local: the data folder (default: $SCIM_DATA_DIR or .scim-local)

Options:
  --json             create, delete: one JSON object; list: one JSON object per line
  --grace-seconds N  delete: how long after its tokens are removed the deletion sweeps once
                     more, for requests already accepted (default: 90 deployed, 30 local)

More tokens: npm run token -- create --name NAME --directory ID <target> (two active at most).
AWS credentials and region come from the standard chain (AWS_PROFILE, AWS_REGION, ...).`;

/** Who a directory's deletion names as its actor: no token makes it, the operator's CLI does. */
const DIRECTORY_CLI = { tokenId: 'npm-run-directory', name: 'npm run directory' };

/** What `list --json` prints for a directory. */
interface Listed {
  readonly id: string;
  readonly name: string;
  readonly profile?: ProfileName;
  readonly state: 'active' | 'deleting';
  readonly own?: boolean;
  readonly createdAt?: string;
  readonly activeTokens: number;
  readonly baseUrl: string;
}

/** Runs one CLI invocation; returns the exit code. Errors are one line, never a stack trace. */
export async function runDirectoryCli(argv: string[], output: Output, env: NodeJS.ProcessEnv = process.env, now = () => new Date()): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        stack: { type: 'string' },
        local: { type: 'boolean' },
        'data-dir': { type: 'string' },
        name: { type: 'string' },
        profile: { type: 'string' },
        'token-name': { type: 'string' },
        'token-scope': { type: 'string' },
        json: { type: 'boolean' },
        yes: { type: 'boolean' },
        'grace-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, id, ...extra] = positionals;
    if (values.help || !command) {
      output.out(USAGE);
      return values.help ? 0 : 2;
    }
    const takesId = command === 'create' || command === 'delete';
    if (extra.length > 0 || (!takesId && id !== undefined)) throw new TokenSetError(`Unexpected argument: ${[id, ...extra].filter(Boolean).join(' ')}`);
    if (takesId && !id) throw new TokenSetError(`${command} needs the id of a directory.`);
    const target = await targetFor(values, env);
    const json = values.json === true;
    switch (command) {
      case 'create':
        return await create(target, id!, values, json, output, now());
      case 'list':
        return await list(target, json, output, now());
      case 'delete':
        return await remove(target, id!, values, json, output);
      default:
        throw new TokenSetError(`Unknown command "${command}".\n${USAGE}`);
    }
  } catch (error) {
    output.err(`directory: ${error instanceof TokenSetError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return 1;
  }
}

async function targetFor(values: { stack?: string; local?: boolean; 'data-dir'?: string }, env: NodeJS.ProcessEnv): Promise<DirectoryTarget> {
  if ((values.stack !== undefined) === (values.local === true)) throw new TokenSetError('Choose exactly one target: --stack <name> or --local.');
  if (values.local) return localTarget(values['data-dir'], env);
  if (values['data-dir'] !== undefined) throw new TokenSetError('--data-dir goes with --local.');
  return stackTarget(values.stack!);
}

/**
 * Creates a directory and its first token in one write of the token list: a directory is of use
 * only with a token its identity provider presents, and one write means no directory is ever
 * left without one by a failure in between. The token is named (what the audit trail calls it)
 * after the directory unless `--token-name` says otherwise.
 */
async function create(
  target: DirectoryTarget,
  id: string,
  values: { name?: string; profile?: string; 'token-name'?: string; 'token-scope'?: string },
  json: boolean,
  output: Output,
  at: Date,
): Promise<number> {
  const problem = directoryIdProblem(id, target.home);
  if (problem) throw new TokenSetError(problem);
  const profile = (values.profile ?? 'rfc') as ProfileName;
  if (!PROFILES.includes(profile)) throw new TokenSetError(`--profile must be one of ${PROFILES.join(', ')}; got "${values.profile}".`);
  const name = (values.name ?? id).trim();
  if (name.length === 0 || name.length > 200 || /[\u0000-\u001f\u007f]/.test(name)) throw new TokenSetError('--name must be 1 to 200 printable characters.');
  const taken = (document: { directories: readonly DirectoryEntry[] }) => {
    const found = document.directories.find((d) => d.id === id);
    if (found) throw new TokenSetError(found.state ? `Directory "${id}" is being deleted; run delete ${id} --yes again to finish.` : `Directory "${id}" already exists.`);
  };
  const tokenOptions = { name: values['token-name'] ?? id, scope: (values['token-scope'] ?? 'provision') as TokenScope };
  // Refused before anything is made: a token name or scope the token CLI would refuse.
  issueToken([], at, DEFAULT_EXPIRY_DAYS, tokenOptions);
  taken(await target.tokens.readDocument());
  // The usage-plan key first: the directory's first token is then throttled in its own bucket, never refused.
  const usageKeyId = target.usageKeys ? await target.usageKeys.ensure(id) : undefined;
  const entry: DirectoryEntry = { id, name, profile, createdAt: at.toISOString(), ...(usageKeyId ? { usageKeyId } : {}) };
  const first = await target.tokens.updateDocument((document) => {
    taken(document);
    const issued = issueToken([], at, DEFAULT_EXPIRY_DAYS, tokenOptions);
    const record = { ...issued.record, directory: id };
    return { document: { tokens: [...document.tokens, record], directories: [...document.directories, entry] }, result: { token: issued.token, record } };
  });
  const baseUrl = directoryBaseUrl(target.homeBaseUrl, id);
  if (json) {
    output.out(JSON.stringify({ id, name, profile, baseUrl, createdAt: entry.createdAt, firstToken: created(first) }));
  } else {
    const r = first.record;
    output.out(`Directory ${id} created in ${target.description}.`);
    output.out(`  Name:      ${name}`);
    output.out(`  Profile:   ${profile}`);
    output.out(`  Base URL:  ${baseUrl}`);
    output.out(`Its first token ${r.id} (name ${nameOf(r)}, scope ${scopeOf(r)}), expires ${r.expiresAt}.`);
    output.out('Copy it now: it is shown only this once, and only its SHA-256 is kept.');
    output.out('');
    output.out(`  ${first.token}`);
    output.out('');
    output.out(`More tokens (two active at most): npm run token -- create --name NAME --directory ${id} ${target.flags}`);
  }
  return 0;
}

async function list(target: DirectoryTarget, json: boolean, output: Output, at: Date): Promise<number> {
  const document = await target.tokens.readDocument();
  const active = (directory: string | undefined) => document.tokens.filter((t) => t.directory === directory && isActive(t, at)).length;
  const rows: Listed[] = [
    { id: target.home, name: "(this deployment's own directory)", own: true, state: 'active', activeTokens: active(undefined), baseUrl: target.homeBaseUrl },
    ...document.directories.map((d) => ({
      id: d.id,
      name: d.name,
      profile: d.profile,
      state: d.state ?? ('active' as const),
      createdAt: d.createdAt,
      activeTokens: active(d.id),
      baseUrl: directoryBaseUrl(target.homeBaseUrl, d.id),
    })),
  ];
  if (json) {
    for (const row of rows) output.out(JSON.stringify(row));
    return 0;
  }
  output.out(`Directories of ${target.description}:`);
  for (const r of rows) {
    output.out(`  ${r.id.padEnd(24)} ${(r.profile ?? '-').padEnd(24)} ${r.state.padEnd(9)} ${String(r.activeTokens).padStart(2)} active token(s)  ${r.baseUrl}  ${r.name}`);
  }
  return 0;
}

async function remove(target: DirectoryTarget, id: string, values: { yes?: boolean; 'grace-seconds'?: string }, json: boolean, output: Output): Promise<number> {
  if (id === target.home) throw new TokenSetError(`"${id}" is this deployment's own directory: it is deleted with the stack's table, not here.`);
  if (!values.yes) throw new TokenSetError(`delete removes every user, group, membership and token of directory ${id}, for good: add --yes.`);
  const graceMs = wholeSeconds(values['grace-seconds'], target.graceMs / 1000, '--grace-seconds', 0, 3600) * 1000;
  const started = Date.now();
  // One write: the directory is marked deleting (its id stays taken) and its tokens go, so
  // every function and the authorizer refuse them from their next read of the list on.
  const { entry, tokens } = await target.tokens.updateDocument((document) => {
    const found = document.directories.find((d) => d.id === id);
    if (!found) throw new TokenSetError(`No directory "${id.slice(0, 64)}" in ${target.description}.`);
    return {
      document: {
        tokens: document.tokens.filter((t) => t.directory !== id),
        directories: document.directories.map((d) => (d.id === id ? { ...d, state: 'deleting' as const } : d)),
      },
      result: { entry: found, tokens: document.tokens.filter((t) => t.directory === id).length },
    };
  });
  // Without its key in the usage plan, the edge refuses the directory's requests at once (cached answers too).
  if (entry.usageKeyId && target.usageKeys) await target.usageKeys.remove(entry.usageKeyId);
  const { data, close } = await target.openData();
  let deleted: number;
  let sweepMs: number;
  try {
    // The deletion's one change event; the record itself goes with the directory's other items.
    await data.announceDeletion?.(id, { at: new Date().toISOString(), id: randomUUID(), actor: DIRECTORY_CLI });
    const sweepStarted = Date.now();
    deleted = await data.purge(id);
    sweepMs = Date.now() - sweepStarted;
    // A request accepted before the tokens went may still be writing: sweep once more after it must have ended.
    const wait = started + graceMs - Date.now();
    if (wait > 0) {
      if (!json) output.out(`Deleted ${deleted} items; sweeping again in ${Math.ceil(wait / 1000)} s, once no request accepted before can still write.`);
      await new Promise((done) => setTimeout(done, wait));
    }
    deleted += await data.purge(id);
    const left = await data.count(id);
    if (left > 0) throw new TokenSetError(`${left} items of directory ${id} are still there; run delete ${id} --yes again.`);
  } finally {
    await close();
  }
  await target.tokens.updateDocument((document) => ({ document: { ...document, directories: document.directories.filter((d) => d.id !== id) }, result: undefined }));
  const seconds = (Date.now() - started) / 1000;
  if (json) {
    output.out(JSON.stringify({ id, deletedItems: deleted, revokedTokens: tokens, sweepSeconds: sweepMs / 1000, seconds }));
  } else {
    output.out(`Directory ${id} deleted from ${target.description}: ${deleted} items and ${tokens} token(s), in ${seconds.toFixed(1)} s (the first sweep ${(sweepMs / 1000).toFixed(1)} s).`);
  }
  return 0;
}

function wholeSeconds(text: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) throw new TokenSetError(`${name} must be a whole number from ${min} to ${max}; got "${text}".`);
  return Number(text);
}
