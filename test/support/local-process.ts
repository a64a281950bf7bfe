import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/constructs/bundling';
import { buildLocalBundle } from '../../lib/local/bundle';
import { freePort } from '../../lib/local/dynamodb-local';

/**
 * The bundle `npm start` runs, built from the sources once per test process into a folder of
 * its own (test files run side by side), and removed when the process ends.
 */
let bundle: Promise<string> | undefined;
function localBundle(): Promise<string> {
  if (!bundle) {
    const dir = path.join(PROJECT_ROOT, 'dist', 'local-test', String(process.pid));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    bundle = buildLocalBundle(dir);
  }
  return bundle;
}

/** `npm start` (bin/local.ts, bundled as `npm start` runs it) as a process of its own, as a user runs it. */
export interface LocalProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Ctrl-C, as a user stops it; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the local endpoint on a free port with `env` on top of this process's environment
 * (`SCIM_LOG=quiet` unless `env` says otherwise) and resolves once it printed its Base URL.
 */
export async function startLocalProcess(env: Record<string, string> = {}, startWithinMs = 60_000): Promise<LocalProcess> {
  const [port, entry] = await Promise.all([freePort(), localBundle()]);
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: String(port), SCIM_LOG: 'quiet', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    return exited;
  };
  const deadline = Date.now() + startWithinMs;
  while (!output.includes('Base URL:')) {
    if (child.exitCode !== null) throw new Error(`bin/local.ts exited: ${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`bin/local.ts did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, output: () => output, stop };
}
