/**
 * The race's servers, each an OS process of its own: started directly (not through npm, so
 * the pid is the server's), its output drained (a per-request log must not fill the pipe and
 * stall it), its Base URL and DynamoDB Local's pid read from what it prints at start.
 */
import { spawn } from 'node:child_process';

/** How to start one server: `command args` in `cwd`, with `env` as its whole environment. */
export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What a server's start-up lines say. */
export interface Startup {
  readonly baseUrl?: string;
  /** The pid of the DynamoDB Local it started, when it started one. */
  readonly dynamoPid?: number;
}

/**
 * Reads the Base URL (`  Base URL:   http://...`) and DynamoDB Local's pid
 * (`  DynamoDB:   ... (DynamoDB Local, pid N, ...)`) from a server's output. A server that
 * prints no DynamoDB line started no Java process.
 */
export function parseStartup(output: string): Startup {
  const baseUrl = /^\s*Base URL:\s+(https?:\/\/\S+)\s*$/m.exec(output)?.[1];
  const pid = /^\s*DynamoDB:.*\bpid (\d+)\b/m.exec(output)?.[1];
  return { baseUrl, dynamoPid: pid === undefined ? undefined : Number(pid) };
}

/** A started server. */
export interface RunningServer {
  readonly pid: number;
  readonly baseUrl: string;
  readonly dynamoPid?: number;
  /** The last few KB it printed (stdout and stderr). */
  output(): string;
  /** SIGINT, as a user stops it (ours then stops its DynamoDB Local); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const KEEP_BYTES = 8192;

/** Starts `server` and resolves once it printed its Base URL and the lines right after. */
export async function startServer(server: ServerCommand, startWithinMs = 90_000): Promise<RunningServer> {
  const child = spawn(server.command, [...server.args], { cwd: server.cwd, env: server.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let banner = '';
  let tail = '';
  let lastData = Date.now();
  let started = false;
  const take = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (!started) banner += text;
    tail = (tail + text).slice(-KEEP_BYTES);
    lastData = Date.now();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const running = () => child.exitCode === null && child.signalCode === null;
  let dynamoPid: number | undefined;
  const stop = async (graceMs = 15_000) => {
    if (!running()) return;
    child.kill('SIGINT');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
    // Killed, it could not stop its DynamoDB Local: that Java process is ours to end, by its pid.
    if (killed && dynamoPid !== undefined) {
      try {
        process.kill(dynamoPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  const deadline = Date.now() + startWithinMs;
  for (;;) {
    if (spawnError) throw spawnError;
    if (!running()) throw new Error(`${server.args.join(' ')} exited before it served:\n${tail}`);
    const startup = parseStartup(banner);
    // The banner comes in one write; the lines after the Base URL (DynamoDB's) may come in the next chunk.
    if (startup.baseUrl && (startup.dynamoPid !== undefined || Date.now() - lastData > 300)) {
      started = true;
      dynamoPid = startup.dynamoPid;
      return { pid: child.pid!, baseUrl: startup.baseUrl, dynamoPid, output: () => tail, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${server.args.join(' ')} did not print its Base URL within ${startWithinMs} ms:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
