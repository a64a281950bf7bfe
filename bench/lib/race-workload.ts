/**
 * The race's workload (issue 19): what an identity provider's first sync and clean-up send,
 * phase by phase. Every server runs the same phases with the same data; what one phase
 * creates (ids) the next ones use, per server.
 */
import type { RaceClient, RaceRequest } from './race-client';
import { USER_SCHEMA as USER } from '../../lambda/scim/schema/user';
import { GROUP_SCHEMA as GROUP } from '../../lambda/scim/schema/group';
import { PATCH_OP_SCHEMA as PATCH_OP } from '../../lambda/scim/patch/dialects';


/** How big the workload is. */
export interface WorkloadSize {
  readonly users: number;
  readonly groups: number;
  /** Members each group gets in its one add PATCH (each user is in groups × members / users groups). */
  readonly membersPerGroup: number;
  /** PATCHes removing one member each, spread over the groups. */
  readonly removals: number;
  /** `count` of a list page. */
  readonly pageSize: number;
  /** Times the list phase pages through all users. */
  readonly listPasses: number;
}

/** The issue's workload: 500 users, 10 groups of 100, 2,710 requests per server. */
export const FULL_WORKLOAD: WorkloadSize = { users: 500, groups: 10, membersPerGroup: 100, removals: 100, pageSize: 50, listPasses: 9 };
/** `--quick`: a fifth of it. */
export const QUICK_WORKLOAD: WorkloadSize = { users: 100, groups: 10, membersPerGroup: 20, removals: 20, pageSize: 50, listPasses: 9 };

/** What one server's phases learn as they go: the ids it gave. */
export interface WorkloadState {
  readonly users: string[];
  readonly groups: string[];
}

/** One phase: how many requests, and the i-th of them on a server whose ids are `state`. */
export interface WorkloadPhase {
  readonly phase: string;
  readonly requests: number;
  request(i: number, state: WorkloadState): RaceRequest;
}

const idOf = (body: any) => (typeof body?.id === 'string' && body.id.length > 0 ? undefined : 'no id in the answer');

/** The phases, in order; `prefix` starts every name they give (the warm-up's are its own). */
export function workloadPhases(size: WorkloadSize, prefix = 'race'): WorkloadPhase[] {
  const userName = (i: number) => `${prefix}-${i}@example.com`;
  const { users: n, groups: g, membersPerGroup: m, removals, pageSize, listPasses } = size;
  if (m > n) throw new Error(`a group of ${m} members needs at least as many users (${n})`);
  if (removals > g * m) throw new Error(`${removals} member removals need ${removals} memberships (${g} x ${m})`);
  const pages = Math.ceil(n / pageSize);
  // Group k holds the users from k × stride on, wrapping round: with 500 users, 10 groups of
  // 100, every user is in two groups.
  const stride = Math.max(1, Math.floor(n / g));
  const member = (group: number, k: number) => (group * stride + k) % n;
  return [
    {
      phase: 'create user (POST)',
      requests: n,
      request: (i, s) => ({
        method: 'POST',
        path: '/Users',
        body: {
          schemas: [USER],
          userName: userName(i),
          externalId: `${prefix}-x${i}`,
          name: { givenName: `Given${i}`, familyName: `Family${i}` },
          displayName: `${prefix} ${i}`,
          emails: [{ value: userName(i), type: 'work', primary: true }],
          active: true,
        },
        expect: [201],
        check: idOf,
        keep: (body) => (s.users[i] = body.id),
      }),
    },
    {
      phase: 'get user',
      requests: n,
      request: (i, s) => ({
        method: 'GET',
        path: `/Users/${s.users[i]}`,
        expect: [200],
        check: (body) => (body?.id === s.users[i] ? undefined : `another resource: ${body?.id}`),
      }),
    },
    {
      phase: 'filter userName eq',
      requests: n,
      request: (i, s) => ({
        method: 'GET',
        path: `/Users?filter=${encodeURIComponent(`userName eq "${userName(i)}"`)}`,
        expect: [200],
        check: (body) => (body?.totalResults === 1 && body.Resources?.[0]?.id === s.users[i] ? undefined : `totalResults ${body?.totalResults}, first ${body?.Resources?.[0]?.id}`),
      }),
    },
    {
      phase: 'PATCH user (replace displayName)',
      requests: n,
      request: (i, s) => ({
        method: 'PATCH',
        path: `/Users/${s.users[i]}`,
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `${prefix} ${i} renamed` }] },
        expect: [200, 204],
      }),
    },
    {
      phase: `list page (count=${pageSize})`,
      requests: pages * listPasses,
      request: (i) => {
        const startIndex = (i % pages) * pageSize + 1;
        const expected = Math.min(pageSize, n - startIndex + 1);
        return {
          method: 'GET',
          path: `/Users?startIndex=${startIndex}&count=${pageSize}`,
          expect: [200],
          check: (body) =>
            body?.totalResults === n && body.startIndex === startIndex && body.Resources?.length === expected
              ? undefined
              : `totalResults ${body?.totalResults}, startIndex ${body?.startIndex}, ${body?.Resources?.length} resources (expected ${n}, ${startIndex}, ${expected})`,
        };
      },
    },
    {
      phase: 'create group (POST)',
      requests: g,
      request: (i, s) => ({
        method: 'POST',
        path: '/Groups',
        body: { schemas: [GROUP], displayName: `${prefix} group ${i}` },
        expect: [201],
        check: idOf,
        keep: (body) => (s.groups[i] = body.id),
      }),
    },
    {
      phase: `add ${m} members (PATCH)`,
      requests: g,
      request: (i, s) => ({
        method: 'PATCH',
        path: `/Groups/${s.groups[i]}`,
        body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: Array.from({ length: m }, (_, k) => ({ value: s.users[member(i, k)] })) }] },
        expect: [200, 204],
      }),
    },
    {
      phase: 'remove a member (PATCH)',
      requests: removals,
      // The i-th removal takes group i mod g's member number floor(i / g): never the same twice.
      request: (i, s) => ({
        method: 'PATCH',
        path: `/Groups/${s.groups[i % g]}`,
        body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${s.users[member(i % g, Math.floor(i / g))]}"]` }] },
        expect: [200, 204],
      }),
    },
    {
      phase: 'delete user',
      requests: n,
      request: (i, s) => ({ method: 'DELETE', path: `/Users/${s.users[i]}`, expect: [204] }),
    },
  ];
}

/**
 * The warm-up: the workload itself, unmeasured, under names of its own (`warmup`), ending as
 * it ends (its users deleted). Figures are then of code in steady state, as in a function that
 * serves a sync: over its first few thousand requests V8 is still optimising the SDK's code and
 * ours, which a shorter warm-up left in the figures (how much: bench/README.md, the race).
 */
export async function warmUp(client: RaceClient, size: WorkloadSize, concurrency: number): Promise<void> {
  const state = { users: [] as string[], groups: [] as string[] };
  for (const phase of workloadPhases(size, 'warmup')) {
    const run = await client.run(phase.requests, concurrency, (i) => phase.request(i, state));
    if (run.errors > 0) throw new Error(`warm-up: ${run.errors} errors in ${phase.phase}: ${run.errorSamples.join(' | ')}`);
  }
}
