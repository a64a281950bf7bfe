import { memberSk, resourcePk, resourceSk } from './keys';
import type { TransactItem } from './transact';

/**
 * The transaction items of a membership, shared by the group store (member changes) and
 * the user store (a deleted user leaves its groups in the same transaction). A membership
 * is two facts kept in step: the member item `<dir>#GROUP#<gid>` / `MEMBER#<uid>`, and the
 * group's id in the `memberOf` set of the user's item.
 */

/**
 * The groups one user may be in: each adds an id (36 bytes) to the user's item, which with
 * the largest document a user may have (300,000 characters) stays inside DynamoDB's 400 KB.
 */
export const MAX_GROUPS_PER_USER = 2_000;

/** The key of the member item of `userId` in group `groupId`. */
export function memberKey(directory: string, groupId: string, userId: string) {
  return { pk: resourcePk(directory, 'Group', groupId), sk: memberSk(userId) };
}

/** Adds `groupId` to, or deletes it from, the user's `memberOf` set; the user must exist. */
export function memberOfChange(tableName: string, directory: string, userId: string, action: 'ADD' | 'DELETE', groupId: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: { pk: resourcePk(directory, 'User', userId), sk: resourceSk('User') },
      UpdateExpression: `${action} memberOf :group`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':group': new Set([groupId]) },
    },
  };
}

/**
 * Adds `delta` to the group's count and one to its version, and sets lastModified; the
 * group must exist (and, with `expected`, still be at that version).
 */
export function bumpGroup(tableName: string, directory: string, groupId: string, delta: number, now: string, expected?: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: { pk: resourcePk(directory, 'Group', groupId), sk: resourceSk('Group') },
      UpdateExpression: 'SET lastModified = :now ADD version :one, memberCount :delta',
      ConditionExpression: expected === undefined ? 'attribute_exists(pk)' : 'version = :expected',
      ExpressionAttributeValues: {
        ':now': now,
        ':one': 1,
        ':delta': delta,
        ...(expected === undefined ? {} : { ':expected': expected }),
      },
    },
  };
}
