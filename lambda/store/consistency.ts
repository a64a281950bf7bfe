import { GetCommand, ScanCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchDelete } from './batch';
import { AUDIT_TTL_ATTRIBUTE, recordOf } from './audit';
import {
  AUDIT_PREFIX,
  auditListingPk,
  auditPk,
  auditSk,
  claimPk,
  counterPk,
  directoryIndexKey,
  digest,
  externalIdPk,
  INTENT_PREFIX,
  listingPk,
  listingSk,
  MEMBER_PREFIX,
  memberOfSk,
  resourcePk,
  resourceSk,
  SHARD_PREFIX,
  UNIQUE_SK,
  UNIQUE_TAG,
  uniquePk,
  withDirectoryIndex,
} from './keys';
import { isPending, Memberships } from './memberships';
import { INDEXES } from './table';
import type { ResourceKind, UniqueClaim } from './types';

/**
 * The consistency checker: every invariant of the data model in lambda/store/keys.ts,
 * verified over the items of a scanned table. `checkConsistency` is pure (items in,
 * findings out); `scanTable` reads a table; `repairOrphans` removes orphaned member items
 * and brings users' `memberOf` in line with the member items; `repairKeys` moves guards and
 * index keys written before unique names were compared by uniqueKey to where they belong, and
 * writes or removes the claim guards (the IIC profile's e-mail and externalId guards) that
 * disagree with their resources.
 * bin/check-consistency.ts is the command; the hardening tests run it after every race and
 * fault. Run it on a quiet table: a scan is not a snapshot, so a write landing during the
 * scan can show up as a passing finding.
 */

type Item = Record<string, unknown>;

/** What the checker can find, one kind per invariant. */
export type FindingKind =
  /** A USER/GROUP item whose own fields are malformed (pk, kind, id, version < 1, uniqueValue). */
  | 'resource-malformed'
  /**
   * A resource without exactly one uniqueness guard, at the key its unique value hashes to;
   * or a claim its item lists (`alsoUnique`: an e-mail, an externalId) without its guard.
   */
  | 'guard-missing'
  /**
   * A guard whose resource does not exist, or holds another unique value (a stale rename); or
   * a claim guard whose resource does not list that claim.
   */
  | 'guard-orphan'
  /**
   * A guard at the key of its value lower-cased only, as guards were written before unique
   * names were compared by `uniqueKey` (lambda/scim/unique-name.ts); its resource's key is free
   * or already its own. `repairKeys` moves it.
   */
  | 'guard-outdated'
  /**
   * An outdated guard whose resource's key is held by another resource: two names written
   * before the comparison changed are now one name (`café` twice, `groß` and `gross`). A person
   * decides which to rename or delete.
   */
  | 'guard-collision'
  /** The counter shards of a kind do not add up to the number of its resources. */
  | 'counter-mismatch'
  /** A MEMBER# item in the partition of a group that does not exist. */
  | 'member-of-deleted-group'
  /** A MEMBER# item of an existing group naming a user that does not exist. */
  | 'member-without-user'
  /** A group's memberCount differs from its MEMBER# items. */
  | 'member-count-mismatch'
  /** A listing, externalId or directory index attribute disagrees with the item. */
  | 'index-mismatch'
  /** A member item whose user's `memberOf` does not name the group. */
  | 'member-not-in-memberOf'
  /** A user's `memberOf` names an existing group that has no member item for the user. */
  | 'memberOf-without-member'
  /**
   * A group with member changes still being applied (intents in its `pending` set). Any read
   * of the group finishes them first; `repair` does so too. Counts are not checked meanwhile.
   */
  | 'intent-pending'
  /** Intent pages that their group's `pending` set does not name (a finished change's leftovers). */
  | 'intent-orphan'
  /** An audit entry or page whose keys or fields are not those auditItem builds (lambda/store/audit.ts). */
  | 'audit-malformed'
  /** An item that fits no part of the key layout. */
  | 'unknown-item';

export interface Finding {
  readonly kind: FindingKind;
  readonly pk: string;
  readonly sk: string;
  readonly detail: string;
  /** For the memberOf findings: the change to the user's set that repairs it. */
  readonly memberOf?: MemberOfFix;
  /** For guard-outdated: where the guard goes (`to` undefined: the resource's key already has its guard; this one only goes). */
  readonly guard?: GuardFix;
  /** For index-mismatch: the index attributes the resource's item should have. */
  readonly index?: IndexFix;
  /** For a claim guard missing or orphaned: the guard to write or remove. */
  readonly claim?: ClaimFix;
}

/**
 * Writes the claim guard at `pk` (where none is) or removes it (if it still names `id`), on
 * condition that its resource is still as scanned: at `ownerVersion`, or absent when undefined.
 */
export interface ClaimFix {
  readonly action: 'put' | 'delete';
  readonly pk: string;
  readonly id: string;
  readonly claim: UniqueClaim;
  readonly ownerPk: string;
  readonly ownerSk: string;
  readonly ownerVersion?: number;
}

/** Moves the guard at `pk` to `to` (or only deletes it), conditional on it still naming `id`. */
export interface GuardFix {
  readonly pk: string;
  readonly to?: string;
  readonly id: string;
  readonly value: string;
}

/** Sets and removes index attributes of the resource item at `pk`, if still at `version`. */
export interface IndexFix {
  readonly pk: string;
  readonly sk: string;
  readonly version: number;
  readonly set: Record<string, string>;
  readonly remove: readonly string[];
}

/** A group id to add to, or delete from, the `memberOf` of the user item at `pk`. */
export interface MemberOfFix {
  readonly pk: string;
  readonly action: 'ADD' | 'DELETE';
  readonly groupId: string;
}

export interface ConsistencyReport {
  readonly findings: Finding[];
  /** What was checked, by kind of item. */
  readonly scanned: {
    items: number;
    users: number;
    groups: number;
    guards: number;
    members: number;
    counterShards: number;
    /** Audit entries and their pages. */
    audit: number;
    /** Ids of deleted groups still in users' memberOf: allowed, invisible to reads; `repair` removes them. */
    staleGroupIds: number;
  };
  /** The ids of deleted groups left in users' memberOf (not findings). */
  readonly stale?: readonly MemberOfFix[];
}

const KINDS: readonly ResourceKind[] = ['User', 'Group'];
const UNIQUE_ATTRIBUTE: Record<ResourceKind, string> = { User: 'userName', Group: 'displayName' };
const SHARD = new RegExp(`^${SHARD_PREFIX}\\d+$`);

/** Checks every invariant of the data model over `items` (all items of one table). */
export function checkConsistency(items: readonly Item[]): ConsistencyReport {
  const findings: Finding[] = [];
  const report = (kind: FindingKind, item: Item, detail: string, fix: Pick<Finding, 'memberOf' | 'guard' | 'index' | 'claim'> = {}) =>
    findings.push({ kind, pk: String(item.pk), sk: String(item.sk), detail, ...fix });
  const stale: MemberOfFix[] = [];

  const resources = new Map<string, Item>(); // by pk
  const guards: Item[] = [];
  const outdated: Outdated[] = [];
  const members: Item[] = [];
  const intents: Item[] = [];
  let audit = 0;
  const counters = new Map<string, number>(); // counterPk -> sum of shards
  let counterShards = 0;
  let users = 0;
  let groups = 0;

  for (const item of items) {
    const pk = String(item.pk);
    const sk = String(item.sk);
    // Items written before directories existed have no directory index attribute; one that has it must name its own.
    const indexed = item[INDEXES.byDirectory.partitionKey];
    if (indexed !== undefined && indexed !== directoryIndexKey(pk)) {
      report('index-mismatch', item, `The directory index attribute is "${String(indexed)}", not this item's directory and shard.`);
    }
    if (sk === resourceSk('User') || sk === resourceSk('Group')) {
      resources.set(pk, item);
      if (sk === resourceSk('User')) users++;
      else groups++;
    } else if (sk === UNIQUE_SK) guards.push(item);
    else if (sk.startsWith(MEMBER_PREFIX)) members.push(item);
    else if (sk.startsWith(INTENT_PREFIX)) intents.push(item);
    else if (sk.startsWith(AUDIT_PREFIX)) {
      audit++;
      const problem = auditProblem(item);
      if (problem) report('audit-malformed', item, problem);
    }
    else if (SHARD.test(sk) && KINDS.some((k) => pk.endsWith(counterPk('', k)))) {
      counterShards++;
      counters.set(pk, (counters.get(pk) ?? 0) + Number(item.n ?? 0));
    } else report('unknown-item', item, 'No part of the key layout has this key.');
  }

  // Guards by the pk they sit at; each must name a resource whose value hashes to it.
  const guardsByPk = new Map(guards.map((g) => [String(g.pk), g]));
  const guardsOf = new Map<string, number>(); // resource pk -> guards naming it
  for (const guard of guards) {
    const kind = KINDS.find((k) => String(guard.pk).includes(`#${UNIQUE_TAG}#${resourceSk(k)}#`));
    const at = kind ? String(guard.pk).indexOf(`#${UNIQUE_TAG}#${resourceSk(kind)}#`) : -1;
    const dir = kind ? String(guard.pk).slice(0, at) : '';
    const owner = kind && typeof guard.id === 'string' ? resources.get(resourcePk(dir, kind, guard.id)) : undefined;
    // A claim guard's key has its attribute's segment before the digest (which holds no '#').
    if (kind && String(guard.pk).slice(at + `#${UNIQUE_TAG}#${resourceSk(kind)}#`.length).includes('#')) {
      checkClaimGuard(guard, kind, dir, owner, report);
      continue;
    }
    if (!kind || !owner) {
      report('guard-orphan', guard, `The guard names ${kind ?? 'an unknown kind'} "${String(guard.id)}", which does not exist.`);
      continue;
    }
    guardsOf.set(String(owner.pk), (guardsOf.get(String(owner.pk)) ?? 0) + 1);
    if (uniquePk(dir, kind, String(owner.uniqueValue)) !== guard.pk) {
      if (guard.value === owner.uniqueValue && guard.pk === legacyUniquePk(dir, kind, String(owner.uniqueValue))) outdated.push({ guard, owner, kind, dir });
      else report('guard-orphan', guard, `The guard is not at the key of ${kind} "${String(guard.id)}"'s current ${UNIQUE_ATTRIBUTE[kind]}.`);
    }
  }

  // Guards from before uniqueKey: each moves to its resource's key, unless another resource
  // holds that key (or an older one wants it too): then two stored names are now one.
  const explained = new Set<string>(); // resource pks whose guard finding is one of these
  const claimed = new Map<string, Item>(); // target key -> the owner whose guard moves there
  const byAge = (a: Outdated, b: Outdated) => String(a.owner.created).localeCompare(String(b.owner.created)) || String(a.owner.id).localeCompare(String(b.owner.id));
  for (const { guard, owner, kind, dir } of outdated.sort(byAge)) {
    explained.add(String(owner.pk));
    const to = uniquePk(dir, kind, String(owner.uniqueValue));
    const holder = guardsByPk.get(to)?.id ?? claimed.get(to)?.id;
    const fix = { pk: String(guard.pk), id: String(owner.id), value: String(owner.uniqueValue) };
    const what = `${kind} "${String(owner.id)}"'s guard is at the key of its ${UNIQUE_ATTRIBUTE[kind]} lower-cased, from before names were compared by uniqueKey`;
    if (holder === owner.id) report('guard-outdated', guard, `${what}; its key already has its guard.`, { guard: fix });
    else if (holder === undefined) {
      claimed.set(to, owner);
      report('guard-outdated', guard, `${what}; --repair moves it to the key of the name.`, { guard: { ...fix, to } });
    } else {
      report('guard-collision', guard, `${what}, and that name is now the same as ${kind} "${String(holder)}"'s: rename or delete one of them (see docs/operations.md).`);
    }
  }

  // Member items by group partition; each must be named by its user's memberOf.
  const membersOf = new Map<string, number>();
  const memberPairs = new Set<string>(); // "<group pk> <uid>"
  for (const member of members) {
    const pk = String(member.pk);
    const uid = memberOfSk(String(member.sk));
    membersOf.set(pk, (membersOf.get(pk) ?? 0) + 1);
    memberPairs.add(`${pk} ${uid}`);
    const group = resources.get(pk);
    const user = group && resources.get(resourcePk(dirOf(group), 'User', uid));
    if (!group || group.sk !== resourceSk('Group')) {
      report('member-of-deleted-group', member, `User "${uid}" is a member of a group that does not exist.`);
    } else if (!user) {
      report('member-without-user', member, `Group "${String(group.id)}" lists user "${uid}", which does not exist.`);
    } else if (!(user.memberOf instanceof Set && user.memberOf.has(String(group.id)))) {
      report('member-not-in-memberOf', member, `User "${uid}" is a member of group "${String(group.id)}" and its memberOf does not say so.`, {
        memberOf: { pk: String(user.pk), action: 'ADD', groupId: String(group.id) },
      });
    }
  }

  // Each user's memberOf: every group it names that exists must list the user. Ids of
  // deleted groups are allowed (a group's DELETE leaves them; reads drop them): counted only.
  for (const user of resources.values()) {
    if (user.sk !== resourceSk('User') || !(user.memberOf instanceof Set)) continue;
    for (const gid of user.memberOf as Set<string>) {
      const groupPk = resourcePk(dirOf(user), 'Group', String(gid));
      const fix = { pk: String(user.pk), action: 'DELETE' as const, groupId: String(gid) };
      if (!resources.has(groupPk)) stale.push(fix);
      else if (!memberPairs.has(`${groupPk} ${String(user.id)}`)) {
        report('memberOf-without-member', user, `User "${String(user.id)}" names group "${String(gid)}" in memberOf, which does not list it.`, { memberOf: fix });
      }
    }
  }

  // Each resource: its own fields, its guard, its index attributes, a group's count.
  const perKind = new Map<string, number>(); // counterPk -> resources
  for (const item of resources.values()) {
    const kind: ResourceKind = item.sk === resourceSk('User') ? 'User' : 'Group';
    const id = String(item.id);
    const dir = dirOf(item);
    perKind.set(counterPk(dir, kind), (perKind.get(counterPk(dir, kind)) ?? 0) + 1);
    const document = (item.document ?? {}) as Item;
    const problems: string[] = [];
    if (typeof item.id !== 'string' || item.pk !== resourcePk(dir, kind, id)) problems.push('its pk is not built from its id');
    if (item.kind !== kind) problems.push(`its kind is "${String(item.kind)}"`);
    if (!Number.isInteger(item.version) || (item.version as number) < 1) problems.push(`its version is ${String(item.version)}`);
    if (typeof item.uniqueValue !== 'string' || document[UNIQUE_ATTRIBUTE[kind]] !== item.uniqueValue) {
      problems.push(`its uniqueValue differs from the document's ${UNIQUE_ATTRIBUTE[kind]}`);
    }
    if (problems.length > 0) report('resource-malformed', item, `${kind} "${id}": ${problems.join('; ')}.`);

    const guard = guardsByPk.get(uniquePk(dir, kind, String(item.uniqueValue)));
    if (!explained.has(String(item.pk)) && (!guard || guard.id !== id || guardsOf.get(String(item.pk)) !== 1)) {
      const naming = guardsOf.get(String(item.pk)) ?? 0;
      report('guard-missing', item, `${kind} "${id}" has ${guard?.id === id ? 'its guard' : 'no guard at its value'} and ${naming} guard(s) naming it; exactly one is required.`);
    }

    checkClaims(item, kind, dir, guardsByPk, report);

    const index: string[] = [];
    const expected: Record<string, string> = {
      [INDEXES.byType.partitionKey]: listingPk(dir, kind),
      [INDEXES.byType.sortKey]: listingSk(String(item.uniqueValue), id),
    };
    if (item[INDEXES.byType.partitionKey] !== expected[INDEXES.byType.partitionKey] || item[INDEXES.byType.sortKey] !== expected[INDEXES.byType.sortKey]) {
      index.push('listing');
    }
    const externalId = document.externalId;
    const expectExt = typeof externalId === 'string';
    if (expectExt) Object.assign(expected, { [INDEXES.byExternalId.partitionKey]: externalIdPk(dir, kind, externalId), [INDEXES.byExternalId.sortKey]: id });
    if (
      expectExt
        ? item[INDEXES.byExternalId.partitionKey] !== expected[INDEXES.byExternalId.partitionKey] || item[INDEXES.byExternalId.sortKey] !== id
        : item[INDEXES.byExternalId.partitionKey] !== undefined || item[INDEXES.byExternalId.sortKey] !== undefined
    ) {
      index.push('externalId');
    }
    if (index.length > 0 && problems.length === 0) {
      const remove = expectExt ? [] : [INDEXES.byExternalId.partitionKey, INDEXES.byExternalId.sortKey];
      report('index-mismatch', item, `${kind} "${id}": the ${index.join(' and ')} index attributes disagree with the document.`, {
        index: { pk: String(item.pk), sk: String(item.sk), version: Number(item.version), set: expected, remove },
      });
    } else if (index.length > 0) report('index-mismatch', item, `${kind} "${id}": the ${index.join(' and ')} index attributes disagree with the document.`);

    if (kind === 'Group' && isPending(item)) {
      report('intent-pending', item, `Group "${id}" has member changes still being applied (intents ${[...(item.pending as Set<string>)].join(', ')}).`);
    } else if (kind === 'Group') {
      const actual = membersOf.get(String(item.pk)) ?? 0;
      if (item.memberCount !== actual) {
        report('member-count-mismatch', item, `Group "${id}" has memberCount ${String(item.memberCount)} and ${actual} member item(s).`);
      }
    }
  }

  // Intent pages belong to the marker on their group's item, and go with it.
  for (const page of intents) {
    const group = resources.get(String(page.pk));
    const id = String(page.sk).slice(INTENT_PREFIX.length).split('#')[0];
    if (!group || !(group.pending instanceof Set && group.pending.has(id))) {
      report('intent-orphan', page, `Intent pages with no pending change of a group naming them.`);
    }
  }

  // Counters: every kind that has resources or shards must add up.
  for (const pk of new Set([...counters.keys(), ...perKind.keys()])) {
    const counted = counters.get(pk) ?? 0;
    const actual = perKind.get(pk) ?? 0;
    if (counted !== actual) {
      findings.push({ kind: 'counter-mismatch', pk, sk: `${SHARD_PREFIX}*`, detail: `The counter shards add up to ${counted}; there are ${actual} resources.` });
    }
  }

  return {
    findings,
    scanned: { items: items.length, users, groups, guards: guards.length, members: members.length, counterShards, audit, staleGroupIds: stale.length },
    stale,
  };
}

/** What is wrong with an audit item, or undefined: its keys must be those its fields give. */
function auditProblem(item: Item): string | undefined {
  const r = recordOf(item);
  const strings = [r.id, r.at, r.directory, r.resourceId, r.resourceName, r.requestId, r.actor?.tokenId, r.actor?.name];
  if (!strings.every((v) => typeof v === 'string' && v !== '')) return 'An audit item lacks its id, time, directory, resource, request or actor.';
  if (!['create', 'replace', 'patch', 'delete'].includes(r.operation) || !KINDS.includes(r.resourceType)) return 'An audit item names an unknown operation or resource type.';
  if (!Array.isArray(r.changes) || !r.changes.every((c) => typeof c?.path === 'string')) return 'An audit item has no list of changed paths.';
  if (item.pk !== auditPk(r.directory, r.resourceId) || item.sk !== auditSk(r.at, r.id, r.step)) return 'An audit item is not at the key its fields give.';
  const listed = item[INDEXES.byType.partitionKey] === auditListingPk(r.directory) && item[INDEXES.byType.sortKey] === item.sk;
  if (r.step === undefined ? !listed : item[INDEXES.byType.partitionKey] !== undefined) return 'An audit entry is missing from the directory listing, or a page is in it.';
  if (typeof item[AUDIT_TTL_ATTRIBUTE] !== 'number') return 'An audit item has no expiry (ttl).';
  return undefined;
}

type Report = (kind: FindingKind, item: Item, detail: string, fix?: Pick<Finding, 'claim'>) => void;

/** The claims a resource item lists (`alsoUnique`), well-formed ones only. */
function claimsOf(item: Item): UniqueClaim[] {
  if (!Array.isArray(item.alsoUnique)) return [];
  return (item.alsoUnique as Item[]).filter((c): c is Item & UniqueClaim => (c?.attribute === 'email' || c?.attribute === 'externalId') && typeof c.value === 'string');
}

/** A claim guard must name a resource that lists the claim hashing to its key. */
function checkClaimGuard(guard: Item, kind: ResourceKind, dir: string, owner: Item | undefined, report: Report): void {
  if (owner && claimsOf(owner).some((c) => claimPk(dir, kind, c) === guard.pk)) return;
  const claim: UniqueClaim = { attribute: guard.attribute === 'email' ? 'email' : 'externalId', value: String(guard.value) };
  const fix: ClaimFix = {
    action: 'delete',
    pk: String(guard.pk),
    id: String(guard.id),
    claim,
    ownerPk: resourcePk(dir, kind, String(guard.id)),
    ownerSk: resourceSk(kind),
    ownerVersion: owner ? Number(owner.version) : undefined,
  };
  const why = owner ? 'which does not claim that value' : 'which does not exist';
  report('guard-orphan', guard, `The ${claim.attribute} guard names ${kind} "${String(guard.id)}", ${why}; --repair removes it.`, { claim: fix });
}

/** Each claim a resource lists must have its guard naming the resource. */
function checkClaims(item: Item, kind: ResourceKind, dir: string, guardsByPk: ReadonlyMap<string, Item>, report: Report): void {
  for (const claim of claimsOf(item)) {
    const pk = claimPk(dir, kind, claim);
    const guard = guardsByPk.get(pk);
    if (guard?.id === item.id) continue;
    const what = `${kind} "${String(item.id)}" claims its ${claim.attribute}`;
    if (guard) {
      report('guard-missing', item, `${what}, whose guard names "${String(guard.id)}": two resources hold one value; change or delete one of them.`);
    } else {
      const fix: ClaimFix = { action: 'put', pk, id: String(item.id), claim, ownerPk: String(item.pk), ownerSk: String(item.sk), ownerVersion: Number(item.version) };
      report('guard-missing', item, `${what} without its guard; --repair writes it.`, { claim: fix });
    }
  }
}

/** An outdated guard (see 'guard-outdated') and its resource. */
interface Outdated {
  readonly guard: Item;
  readonly owner: Item;
  readonly kind: ResourceKind;
  readonly dir: string;
}

/** Where a guard was before uniqueKey: at the hash of its value lower-cased (lambda/store/keys.ts before 2026-12). */
function legacyUniquePk(dir: string, kind: ResourceKind, value: string): string {
  return `${dir}#UNIQUE#${resourceSk(kind)}#${digest(value.toLowerCase())}`;
}

/** The directory a resource item belongs to: its pk without `#<TAG>#<id>`. */
function dirOf(item: Item): string {
  const pk = String(item.pk);
  const suffix = `#${String(item.sk)}#${String(item.id)}`;
  return pk.endsWith(suffix) ? pk.slice(0, pk.length - suffix.length) : pk.slice(0, pk.indexOf('#'));
}

/**
 * Every item of the table, by a consistent paginated Scan; with `directory`, the items of that
 * directory only (the Scan still reads the whole table: the deployment's own directory's items
 * written before directories existed are in no index that would find them).
 */
export async function scanTable(client: DynamoDBDocumentClient, tableName: string, directory?: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  const only = directory === undefined ? {} : { FilterExpression: 'begins_with(pk, :dir)', ExpressionAttributeValues: { ':dir': `${directory}#` } };
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey, ...only }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Scans the table (or one directory of it) and checks it. Every invariant holds within one directory. */
export async function checkTable(client: DynamoDBDocumentClient, tableName: string, directory?: string): Promise<ConsistencyReport> {
  return checkConsistency(await scanTable(client, tableName, directory));
}

/**
 * Removes orphaned member items: those of a deleted group are deleted; those of an existing
 * group naming a missing user are deleted together with the group's count and version (one
 * small transaction each, conditional on the item still being there). Returns how many went.
 */
export async function repairOrphans(client: DynamoDBDocumentClient, tableName: string, report: ConsistencyReport): Promise<number> {
  // A pending member change is finished as any reader of its group would finish it.
  let repaired = 0;
  for (const finding of report.findings.filter((f) => f.kind === 'intent-pending')) {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { pk: finding.pk, sk: finding.sk }, ConsistentRead: true }));
    if (!Item) continue;
    await new Memberships({ client, tableName, directory: dirOf(Item) }, { leaseMs: 0 }).settle([Item]);
    repaired++;
  }
  const leftovers = report.findings.filter((f) => f.kind === 'member-of-deleted-group' || f.kind === 'intent-orphan').map((f) => ({ pk: f.pk, sk: f.sk }));
  await batchDelete(client, tableName, leftovers);
  repaired += leftovers.length;
  for (const finding of report.findings.filter((f) => f.kind === 'member-without-user')) {
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: tableName, Key: { pk: finding.pk, sk: finding.sk }, ConditionExpression: 'attribute_exists(pk)' } },
            {
              Update: {
                TableName: tableName,
                Key: { pk: finding.pk, sk: resourceSk('Group') },
                UpdateExpression: 'ADD version :one, memberCount :minus',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':one': 1, ':minus': -1 },
              },
            },
          ],
        }),
      );
      repaired++;
    } catch (error) {
      // Gone meanwhile (the member, or the group): nothing left to repair for this one.
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
    }
  }
  // memberOf brought in line with the member items (tables written before memberOf existed
  // get it here), and ids of deleted groups taken out.
  const fixes = [...report.findings.flatMap((f) => (f.memberOf ? [f.memberOf] : [])), ...(report.stale ?? [])];
  for (const fix of fixes) {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: fix.pk, sk: resourceSk('User') },
          UpdateExpression: `${fix.action} memberOf :group`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':group': new Set([fix.groupId]) },
        }),
      );
      repaired++;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
  return repaired;
}

/**
 * Moves guards written before unique names were compared by uniqueKey to their resource's
 * key (guard-outdated: one transaction each, putting the new guard only where none is and
 * deleting the old one only if it still names the resource), and rewrites index attributes
 * that disagree with their item (index-mismatch: listing keys written with the old key, a
 * stale externalId entry), only if the item is still at the version scanned. A claim guard
 * missing is written (where no other holds the key) and an orphaned one removed, each in one
 * transaction with a check that its resource is still as scanned. guard-collision and a claim
 * two resources hold are left to a person. Returns how many items were repaired; one that changed meanwhile is
 * skipped and shows in the next check.
 */
export async function repairKeys(client: DynamoDBDocumentClient, tableName: string, report: ConsistencyReport): Promise<number> {
  let repaired = 0;
  for (const { guard } of report.findings.filter((f) => f.kind === 'guard-outdated' && f.guard)) {
    const remove = {
      Delete: {
        TableName: tableName,
        Key: { pk: guard!.pk, sk: UNIQUE_SK },
        ConditionExpression: 'id = :id',
        ExpressionAttributeValues: { ':id': guard!.id },
      },
    };
    const items = guard!.to
      ? [{ Put: { TableName: tableName, Item: withDirectoryIndex({ pk: guard!.to, sk: UNIQUE_SK, id: guard!.id, value: guard!.value }), ConditionExpression: 'attribute_not_exists(pk)' } }, remove]
      : [remove];
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      repaired++;
    } catch (error) {
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
    }
  }
  for (const { claim } of report.findings.filter((f) => f.claim)) {
    const fix = claim!;
    const guard =
      fix.action === 'put'
        ? { Put: { TableName: tableName, Item: withDirectoryIndex({ pk: fix.pk, sk: UNIQUE_SK, id: fix.id, value: fix.claim.value, attribute: fix.claim.attribute }), ConditionExpression: 'attribute_not_exists(pk)' } }
        : { Delete: { TableName: tableName, Key: { pk: fix.pk, sk: UNIQUE_SK }, ConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': fix.id } } };
    // Only while the resource is as scanned: a write since may have claimed or dropped the value.
    const owner = {
      ConditionCheck: {
        TableName: tableName,
        Key: { pk: fix.ownerPk, sk: fix.ownerSk },
        ...(fix.ownerVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': fix.ownerVersion } }),
      },
    };
    try {
      await client.send(new TransactWriteCommand({ TransactItems: [guard, owner] }));
      repaired++;
    } catch (error) {
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
    }
  }
  for (const { index } of report.findings.filter((f) => f.kind === 'index-mismatch' && f.index)) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':version': index!.version };
    const set = Object.entries(index!.set).map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const remove = index!.remove.map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: index!.pk, sk: index!.sk },
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'version = :version',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      repaired++;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
  return repaired;
}
