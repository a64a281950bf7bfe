/**
 * Our CPU per request as Lambda runs it (issue 19: "both for the deployed bundles and for the
 * process `npm start` runs"): the Users and Groups functions' own bundles, built as the stack
 * builds them (lib/constructs/bundling.ts), imported in a process of their own and invoked
 * with API Gateway proxy events one at a time, as a Lambda container serves them, under the
 * race's workload after the race's warm-up. Each invocation goes through the deployed
 * handler whole: the Powertools Logger line and EMF metrics, the in-function token check
 * (against a token hash, as `sam local invoke` is given it, so no Secrets Manager read), the
 * stores' client on DynamoDB Local.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { hashToken } from '../lambda/http/auth';
import { buildFunctionSync, FUNCTION_ENTRIES } from '../lib/constructs/bundling';
import { ensureTable } from '../lib/local/dynamodb-local';
import { STAGE_BASE_URL } from './lib/api-event';
import type { WorkerPhase, WorkerTask } from './lib/deployed-worker';
import { percentile } from './lib/timing';
import type { WorkloadSize } from './lib/race-workload';

const ROOT = path.resolve(__dirname, '..');

/** Where the bundles are built (removed when the section ends). */
export const DEPLOYED_BUNDLE_DIR = path.join(ROOT, 'dist', 'bench-deployed');

export interface DeployedPhase {
  readonly phase: string;
  readonly requests: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly cpuMsPerRequest: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface DeployedResult {
  readonly requests: number;
  readonly errors: number;
  /** CPU of the container's process (all threads) over the measured pass, per invocation. */
  readonly cpuMsPerRequest: number;
  readonly phases: DeployedPhase[];
}

/** Runs the workload (`size`: the race's full or quick one, or another) on the deployed bundles against DynamoDB Local at `endpoint`. */
export async function runDeployed(endpoint: string, size: 'full' | 'quick' | WorkloadSize): Promise<DeployedResult> {
  const tableName = `bench-deployed-${randomBytes(4).toString('hex')}`;
  await ensureTable(endpoint, tableName);
  // The functions the workload's paths reach (/Users, /Groups).
  const bundles = Object.fromEntries(WORKLOAD_FUNCTIONS.map((id) => [id, bundle(id)]));
  const token = randomBytes(24).toString('base64url');
  try {
    const phases = await new Promise<WorkerPhase[]>((resolve, reject) => {
      const worker = fork(path.join(__dirname, 'lib', 'deployed-worker.ts'), [], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx'],
        // The functions' logs go to a pipe, as Lambda's do, drained here.
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          NODE_NO_WARNINGS: '1',
          // As the stack sets them (lib/constructs), for a stack named ScimEndpoint.
          TABLE_NAME: tableName,
          DYNAMODB_ENDPOINT: endpoint,
          TOKEN_SECRET_ARN: `sha256:${hashToken(token)}`,
          SCIM_BASE_URL: STAGE_BASE_URL,
          POWERTOOLS_SERVICE_NAME: 'ScimEndpoint-ScimEndpoint',
          POWERTOOLS_METRICS_NAMESPACE: 'ScimEndpoint',
          // What Lambda sets in every function's environment.
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_LAMBDA_FUNCTION_NAME: 'ScimEndpoint-ScimEndpointUsersFunction',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        },
      });
      worker.stdout!.resume();
      worker.once('message', (message: { phases?: WorkerPhase[]; error?: string }) => (message.phases ? resolve(message.phases) : reject(new Error(`deployed: ${message.error}`))));
      worker.once('exit', (code) => reject(new Error(`deployed: the worker exited with ${code} before it answered`)));
      const task: WorkerTask = { bundles, token, size };
      worker.send(task);
    });
    const summary = phases.map((p) => {
      return {
        phase: p.phase,
        requests: p.requests,
        errors: p.errors,
        errorSamples: p.errorSamples,
        cpuMsPerRequest: round(p.cpuMs / p.requests),
        p50Ms: round(percentile(p.latenciesMs, 50), 1),
        p99Ms: round(percentile(p.latenciesMs, 99), 1),
      };
    });
    const requests = phases.reduce((a, p) => a + p.requests, 0);
    return {
      requests,
      errors: phases.reduce((a, p) => a + p.errors, 0),
      cpuMsPerRequest: round(phases.reduce((a, p) => a + p.cpuMs, 0) / requests),
      phases: summary,
    };
  } finally {
    rmSync(DEPLOYED_BUNDLE_DIR, { recursive: true, force: true });
  }
}

const WORKLOAD_FUNCTIONS = ['Users', 'Groups'] as const;

/** The function's bundle, built as the stack deploys it; the path of its index.mjs. */
function bundle(id: string): string {
  const entry = FUNCTION_ENTRIES.find((f) => f.id === id)!.entry;
  const outdir = path.join(DEPLOYED_BUNDLE_DIR, id.toLowerCase());
  buildFunctionSync(entry, outdir);
  return path.join(outdir, 'index.mjs');
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
