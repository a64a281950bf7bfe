import { createHash } from 'node:crypto';
import { INDEXES } from './table';
import { uniqueKey } from '../scim/unique-name';
import type { ClaimAttribute, ResourceKind, UniqueClaim } from './types';

/**
 * Key layout of the single table: every key prefix is defined here and imported wherever a
 * key is built or matched (the stores, the consistency checker, the change-event publisher
 * and the CDK stream filter). Every key starts with the directory, so that one table can
 * serve several directories, each with its own tokens.
 *
 *   resource     <dir>#USER#<id>                       / USER     (GROUP for groups)
 *   unique guard <dir>#UNIQUE#USER#<hash(key)>         / UNIQUE   key: uniqueForm(value)
 *   claim guard  <dir>#UNIQUE#USER#EMAIL#<hash(key)>   / UNIQUE   key: uniqueForm(e-mail)
 *                <dir>#UNIQUE#USER#EXT#<hash(value)>   / UNIQUE   externalId, compared exactly
 *                (only the IIC profile writes these; the resource item lists its claims)
 *   counter      <dir>#COUNT#USER                      / SHARD#<n>
 *   membership   <dir>#GROUP#<gid>                     / MEMBER#<uid>
 *                and <gid> in the `memberOf` set of the user's item (same transaction)
 *   intent       <dir>#GROUP#<gid>                     / INTENT#<intent id>#<page>
 *                a member change too large for one transaction, while it is applied
 *   audit entry  <dir>#AUDIT#<resource id>             / AUDIT#<at>#<entry id>
 *                one per applied change, in the change's own transaction; listed for the
 *                directory, newest first, in the listing index under <dir>#AUDIT
 *   audit page   <dir>#AUDIT#<resource id>             / AUDIT#<at>#<entry id>#<step>
 *                the members a later transaction of the same change applied (not listed)
 *   deletion     <dir>#DIRECTORY                       / AUDIT#<at>#<deletion id>
 *                written when the directory's deletion starts (its one change event), and
 *                deleted with the rest of it; not an entry of any resource's history
 *
 * and on every item, whatever it is, `gsi3pk` = `<dir>#<shard>` (the byDirectory index, keys
 * only): every item of a directory is found by 16 Queries, without a Scan, when the directory
 * is deleted. It is stamped in one place, on every item a transaction writes
 * (withDirectoryIndex, applied by lambda/store/transact.ts Items): a new kind of item is
 * covered without knowing of it.
 *
 * Values a client chooses (userName, displayName, externalId) enter keys only as hashes:
 * a key is limited to 2048 bytes (1024 for a sort key) whatever the client sends.
 */

/** The type tag of each resource kind: its items' sort key, and a segment of its keys. */
export const RESOURCE_TAG: Readonly<Record<ResourceKind, string>> = { User: 'USER', Group: 'GROUP' };
export const UNIQUE_TAG = 'UNIQUE';
export const COUNT_TAG = 'COUNT';
export const EXTERNAL_ID_TAG = 'EXT';
/** Sort key prefixes of the items in a group's partition besides the group itself. */
export const MEMBER_PREFIX = 'MEMBER#';
export const INTENT_PREFIX = 'INTENT#';
export const SHARD_PREFIX = 'SHARD#';
export const AUDIT_TAG = 'AUDIT';
/** Sort key prefix of audit entries and their pages. */
export const AUDIT_PREFIX = `${AUDIT_TAG}#`;

/** The sort key of a resource item, also its type tag. */
export const resourceSk = (kind: ResourceKind) => RESOURCE_TAG[kind];

export const resourcePk = (dir: string, kind: ResourceKind, id: string) => `${dir}#${RESOURCE_TAG[kind]}#${id}`;

export const uniquePk = (dir: string, kind: ResourceKind, value: string) =>
  `${dir}#${UNIQUE_TAG}#${RESOURCE_TAG[kind]}#${digest(uniqueForm(value))}`;
export const UNIQUE_SK = UNIQUE_TAG;

/** The key segment of each claimed attribute's guards (after `#UNIQUE#<kind>#`). */
export const CLAIM_TAG: Readonly<Record<ClaimAttribute, string>> = { email: 'EMAIL', externalId: 'EXT' };

/**
 * The form in which a claimed value is compared: an e-mail as IIC compares it, case-insensitively
 * (uniqueForm: for an ASCII address that is toLowerCase(), and `ＡＢＣ@x` is `abc@x` as it is for
 * userNames); an externalId exactly, as RFC 7643 §3.1 makes it caseExact and the externalId
 * index and filter compare it.
 */
export const claimForm = (claim: UniqueClaim) => (claim.attribute === 'email' ? uniqueForm(claim.value) : claim.value);

export const claimPk = (dir: string, kind: ResourceKind, claim: UniqueClaim) =>
  `${dir}#${UNIQUE_TAG}#${RESOURCE_TAG[kind]}#${CLAIM_TAG[claim.attribute]}#${digest(claimForm(claim))}`;

export const counterPk = (dir: string, kind: ResourceKind) => `${dir}#${COUNT_TAG}#${RESOURCE_TAG[kind]}`;
export const counterSk = (shard: number) => `${SHARD_PREFIX}${String(shard).padStart(2, '0')}`;

/** Partition of the listing index: every resource of one kind in one directory. */
export const listingPk = (dir: string, kind: ResourceKind) => `${dir}#${RESOURCE_TAG[kind]}`;

/**
 * Sort key in the listing index: the unique value's comparison form (so a listing reads in
 * userName or displayName order), cut to stay inside the 1024-byte limit, then the id.
 */
export const listingSk = (uniqueValue: string, id: string) => `${uniqueForm(uniqueValue).slice(0, 200)}#${id}`;

export const externalIdPk = (dir: string, kind: ResourceKind, externalId: string) =>
  `${dir}#${RESOURCE_TAG[kind]}#${EXTERNAL_ID_TAG}#${digest(externalId)}`;

export const memberSk = (userId: string) => `${MEMBER_PREFIX}${userId}`;
/** The user id a member item's sort key names. */
export const memberOfSk = (sk: string) => sk.slice(MEMBER_PREFIX.length);

/** A page of an intent's member operations: `INTENT#<intent id>#<page, 3 digits>`. */
export const intentSk = (intentId: string, page: number) => `${INTENT_PREFIX}${intentId}#${String(page).padStart(3, '0')}`;

/** The partition of a resource's audit entries: its history, whatever became of the resource. */
export const auditPk = (dir: string, resourceId: string) => `${dir}#${AUDIT_TAG}#${resourceId}`;

/** The partition of the record that a directory's deletion started (lambda/store/directory-data.ts). */
export const directoryDeletionPk = (dir: string) => `${dir}#${DIRECTORY_TAG}`;
export const DIRECTORY_TAG = 'DIRECTORY';

/** The listing index partition of a directory's audit entries (its activity, in time order). */
export const auditListingPk = (dir: string) => `${dir}#${AUDIT_TAG}`;

/**
 * An audit entry's sort key, `AUDIT#<at>#<entry id>` (ISO 8601 times sort as they happened),
 * and of its pages, `...#<step, 5 digits>`, which sort right after it.
 */
export const auditSk = (at: string, entryId: string, step?: number) =>
  `${AUDIT_PREFIX}${at}#${entryId}${step === undefined ? '' : `#${String(step).padStart(5, '0')}`}`;

/**
 * The form in which unique values (userName, displayName) are compared: after Unicode
 * normalisation and full case folding (uniqueKey, lambda/scim/unique-name.ts); for printable
 * ASCII that is toLowerCase(), the form of guards written before.
 */
export const uniqueForm = (value: string) => uniqueKey(value);

/** Whether two unique values are the same name. */
export const sameUnique = (a: string, b: string) => uniqueForm(a) === uniqueForm(b);

/** A short, fixed-length digest of a client-chosen value. */
export function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/**
 * Shards of a directory in the byDirectory index: the index partition of one directory takes
 * at most about 1,000 writes a second in DynamoDB, so a directory's items are spread over 16
 * (an item's shard is a hash of its pk, so a resource and its partition share one).
 */
export const DIRECTORY_SHARDS = 16;

/** The byDirectory partition of shard `shard` of directory `dir`. */
export const directoryShardKey = (dir: string, shard: number) => `${dir}#${String(shard).padStart(2, '0')}`;

/** The directory a key belongs to: what precedes its first `#` (undefined for a key of no directory). */
export function directoryOfKey(pk: string): string | undefined {
  const at = pk.indexOf('#');
  return at > 0 ? pk.slice(0, at) : undefined;
}

/** The byDirectory partition an item of partition `pk` is indexed under, if it belongs to a directory. */
export function directoryIndexKey(pk: string): string | undefined {
  const dir = directoryOfKey(pk);
  return dir === undefined ? undefined : directoryShardKey(dir, fnv1a(pk) % DIRECTORY_SHARDS);
}

/**
 * The item with its byDirectory index attribute: the one function every written item passes
 * through (lambda/store/transact.ts Items), so that deleting a directory finds all of it.
 */
export function withDirectoryIndex<T extends Record<string, unknown>>(item: T): T {
  const key = typeof item.pk === 'string' ? directoryIndexKey(item.pk) : undefined;
  return key === undefined ? item : { ...item, [INDEXES.byDirectory.partitionKey]: key };
}

/** FNV-1a, 32 bits: a cheap, stable spread of keys over shards (not a digest). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
