import { createHash } from 'node:crypto';
import { uniqueKey } from '../scim/unique-name';
import type { ResourceKind } from './types';

/**
 * Key layout of the single table. Every key starts with the directory, so that one table can
 * later serve several directories, each with its own tokens.
 *
 *   resource     <dir>#USER#<id>                       / USER
 *   unique guard <dir>#UNIQUE#USER#<hash(key)>         / UNIQUE   key: uniqueKey(value), lambda/scim/unique-name.ts
 *   counter      <dir>#COUNT#USER                      / SHARD#<n>
 *   membership   <dir>#GROUP#<gid>                     / MEMBER#<uid>
 *                and <gid> in the `memberOf` set of the user's item (same transaction)
 *
 * Values a client chooses (userName, displayName, externalId) enter keys only as hashes:
 * a key is limited to 2048 bytes (1024 for a sort key) whatever the client sends.
 */

const TAG: Record<ResourceKind, string> = { User: 'USER', Group: 'GROUP' };

/** The sort key of a resource item, also its type tag. */
export const resourceSk = (kind: ResourceKind) => TAG[kind];

export const resourcePk = (dir: string, kind: ResourceKind, id: string) => `${dir}#${TAG[kind]}#${id}`;

export const uniquePk = (dir: string, kind: ResourceKind, value: string) =>
  `${dir}#UNIQUE#${TAG[kind]}#${digest(uniqueKey(value))}`;
export const UNIQUE_SK = 'UNIQUE';

export const counterPk = (dir: string, kind: ResourceKind) => `${dir}#COUNT#${TAG[kind]}`;
export const counterSk = (shard: number) => `SHARD#${String(shard).padStart(2, '0')}`;

/** Partition of the listing index: every resource of one kind in one directory. */
export const listingPk = (dir: string, kind: ResourceKind) => `${dir}#${TAG[kind]}`;

/**
 * Sort key in the listing index: the unique value's comparison key (so a listing reads in
 * userName or displayName order), cut to stay inside the 1024-byte limit, then the id.
 */
export const listingSk = (uniqueValue: string, id: string) => `${uniqueKey(uniqueValue).slice(0, 200)}#${id}`;

export const externalIdPk = (dir: string, kind: ResourceKind, externalId: string) =>
  `${dir}#${TAG[kind]}#EXT#${digest(externalId)}`;

export const memberSk = (userId: string) => `MEMBER#${userId}`;

/** A short, fixed-length digest of a client-chosen value. */
export function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}
