/**
 * A fixed mixed workload against the local endpoint (the deployed handlers on DynamoDB
 * Local) at a fixed concurrency: ops/s and latency percentiles per phase. DynamoDB Local and
 * a shared machine set these figures, not AWS: compare runs on one machine, not with AWS.
 */
import { randomBytes } from 'node:crypto';
import { createDocumentClient } from '../lambda/store/client';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../lib/local/dynamodb-local';
import { percentile } from './lib/timing';
import { startBenchEndpoint } from './lib/scim-client';
import { USER_SCHEMA as USER } from '../lambda/scim/schema/user';
import { GROUP_SCHEMA as GROUP } from '../lambda/scim/schema/group';
import { PATCH_OP_SCHEMA as PATCH_OP } from '../lambda/scim/patch/dialects';


export interface PhaseResult {
  readonly phase: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

export interface LoadResult {
  readonly concurrency: number;
  readonly phases: PhaseResult[];
}

/** Runs the phases in order; `quick` runs fewer requests of the same mix. */
export async function runLoad(endpoint: string, quick: boolean): Promise<LoadResult> {
  const concurrency = 8;
  const scale = quick ? 0.25 : 1;
  const tableName = `bench-load-${randomBytes(4).toString('hex')}`;
  await ensureTable(endpoint, tableName);
  const client = createDocumentClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const { server, scim: scim } = await startBenchEndpoint(client, tableName);
  const phases: PhaseResult[] = [];
  const phase = async (name: string, count: number, make: (i: number) => Promise<unknown>) => {
    const latencies: number[] = [];
    let next = 0;
    let errors = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const i = next++;
          const t = performance.now();
          try {
            await make(i);
          } catch {
            errors++;
          }
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const ms = (p: number) => Math.round(percentile(latencies, p) * 10) / 10;
    phases.push({ phase: name, requests: count, concurrency, opsPerSecond: Math.round(count / seconds), p50Ms: ms(50), p95Ms: ms(95), p99Ms: ms(99), errors });
  };

  const users: string[] = [];
  const groups: string[] = [];
  const n = Math.round(400 * scale);
  try {
    await phase('create users (POST)', n, async (i) => {
      users[i] = (await scim('POST', '/Users', { schemas: [USER], userName: `load-${i}@example.com`, externalId: `x${i}`, displayName: `Load ${i}` })).id;
    });
    await phase('create groups (POST)', Math.round(20 * scale) || 5, async (i) => {
      groups[i] = (await scim('POST', '/Groups', { schemas: [GROUP], displayName: `Load group ${i}` })).id;
    });
    await phase('add members (PATCH, 10 per request)', n / 10, (i) =>
      scim('PATCH', `/Groups/${groups[i % groups.length]}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: users.slice(i * 10, i * 10 + 10).map((value) => ({ value })) }],
      }),
    );
    // The mix an IdP sync makes: mostly reads and lookups, some updates, a few list pages.
    const mixed = (i: number) => {
      const user = users[(i * 7) % users.length];
      switch (i % 10) {
        case 0:
        case 1:
        case 2:
        case 3:
          return scim('GET', `/Users/${user}`);
        case 4:
        case 5:
          return scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "load-${(i * 7) % users.length}@example.com"`)}`);
        case 6:
          return scim('GET', `/Users?filter=${encodeURIComponent(`externalId eq "x${(i * 7) % users.length}"`)}`);
        case 7:
          return scim('PATCH', `/Users/${user}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `Mixed ${i}` }] });
        case 8:
          return scim('GET', `/Groups/${groups[i % groups.length]}?excludedAttributes=members`);
        default:
          return scim('GET', '/Users?count=50&excludedAttributes=groups');
      }
    };
    await phase('mixed: 40% GET, 30% filter eq, 10% PATCH, 10% GET group, 10% list', n * 2, mixed);
    await phase('delete users (DELETE)', Math.round(n / 4), (i) => scim('DELETE', `/Users/${users[i]}`));
  } finally {
    await server.close();
    client.destroy();
  }
  return { concurrency, phases };
}
