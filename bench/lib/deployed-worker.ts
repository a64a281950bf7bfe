/**
 * The process of `bench/deployed.ts`: a Lambda container of each function it is given, as
 * the stack deploys them (their esbuild bundles, imported as Lambda imports
 * `index.mjs`), invoked with API Gateway proxy events one at a time, as a container is,
 * under the race's workload. The environment (table, token hash, Powertools names) comes from
 * the parent; the figures go back over the IPC channel, the functions' logs to stdout.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { apiGatewayEvent, functionOf, lambdaContext } from './api-event';
import type { RaceRequest } from './race-client';
import { FULL_WORKLOAD, QUICK_WORKLOAD, workloadPhases, type WorkloadSize, type WorkloadState } from './race-workload';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** What the parent asks: the bundles, the bearer token and the workload. */
export interface WorkerTask {
  /** Each function's bundle (its index.mjs), by function id (FUNCTION_ROUTES). */
  readonly bundles: Readonly<Record<string, string>>;
  readonly token: string;
  readonly size: 'full' | 'quick' | WorkloadSize;
}

/** One phase as the container served it. */
export interface WorkerPhase {
  readonly phase: string;
  readonly requests: number;
  readonly errors: number;
  readonly errorSamples: string[];
  /** CPU time of the process (user + system, all threads) over the phase. */
  readonly cpuMs: number;
  readonly latenciesMs: number[];
}

/**
 * A fresh id per invocation, as API Gateway and Lambda give one: a counter under a random
 * prefix made once, so that making the ids (which is not ours to pay in Lambda) costs no
 * random bytes per invocation.
 */
const PREFIX = randomBytes(8).toString('hex');
let invocation = 0;
const nextId = () => `${PREFIX}${(++invocation).toString(16).padStart(16, '0')}`;

async function run(task: WorkerTask): Promise<WorkerPhase[]> {
  const handlers = new Map<string, Handler>();
  for (const [id, file] of Object.entries(task.bundles)) handlers.set(id, ((await import(pathToFileURL(file).href)) as { handler: Handler }).handler);
  const size = task.size === 'full' ? FULL_WORKLOAD : task.size === 'quick' ? QUICK_WORKLOAD : task.size;
  const invoke = async (request: RaceRequest): Promise<string | undefined> => {
    const id = functionOf(request.path);
    const handler = id === undefined ? undefined : handlers.get(id);
    if (!handler) return `no bundle of the function that serves ${request.path}`;
    // As the Lambda runtime sets it for each invocation (the SDK's recursion detection reads it).
    process.env._X_AMZN_TRACE_ID = `Root=1-${PREFIX}-${nextId().slice(8)};Parent=${PREFIX};Sampled=0`;
    const result = await handler(apiGatewayEvent(request.method, request.path, task.token, nextId(), request.body), lambdaContext(`ScimEndpoint-${id}Function`, nextId()));
    const body = result.body ? JSON.parse(result.body) : undefined;
    if (!request.expect.includes(result.statusCode)) return `answered ${result.statusCode} (expected ${request.expect.join(' or ')}): ${result.body.slice(0, 200)}`;
    const wrong = request.check?.(body);
    if (!wrong) request.keep?.(body);
    return wrong;
  };
  const serve = async (prefix: string, state: WorkloadState): Promise<WorkerPhase[]> => {
    const phases: WorkerPhase[] = [];
    for (const phase of workloadPhases(size, prefix)) {
      const latenciesMs: number[] = [];
      const errorSamples: string[] = [];
      let errors = 0;
      const start = process.cpuUsage();
      for (let i = 0; i < phase.requests; i++) {
        const request = phase.request(i, state);
        const t = performance.now();
        const wrong = await invoke(request).catch((error: Error) => error.message);
        latenciesMs.push(performance.now() - t);
        if (wrong) {
          errors++;
          if (errorSamples.length < 3) errorSamples.push(`${request.method} ${request.path.slice(0, 120)}: ${wrong.slice(0, 240)}`);
        }
      }
      const used = process.cpuUsage(start);
      phases.push({ phase: phase.phase, requests: phase.requests, errors, errorSamples, cpuMs: (used.user + used.system) / 1000, latenciesMs });
    }
    return phases;
  };
  // As the race: the workload once unmeasured (names of its own), then measured.
  const warm = await serve('warmup', { users: [], groups: [] });
  const failed = warm.find((p) => p.errors > 0);
  if (failed) throw new Error(`warm-up: ${failed.errors} errors in ${failed.phase}: ${failed.errorSamples.join(' | ')}`);
  return serve('race', { users: [], groups: [] });
}

process.once('message', (task: WorkerTask) => {
  run(task).then(
    (phases) => process.send!({ phases }, () => process.exit(0)),
    (error: Error) => process.send!({ error: error.message }, () => process.exit(1)),
  );
});
