import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGet } from './batch';
import { DynamoResourceStore } from './dynamo-resources';
import { uniqueKey } from '../scim/unique-name';
import { listingPk, listingSk, resourcePk, resourceSk } from './keys';
import { bumpGroup, memberKey } from './memberships';
import { INDEXES } from './table';
import { MAX_TRANSACT_ITEMS, TransactionCancelled, transactWrite, type TransactItem } from './transact';
import type { StoredResource, UserStore, UserWithGroups } from './types';

/** Items of a user's own deletion: the user, its guard, a counter shard. */
const OWN_ITEMS = 3;
/** A membership removed with the user: its member item and the group's count. */
const ITEMS_PER_GROUP = 2;
/** Groups whose memberships go with the user in the deleting transaction. */
const GROUPS_WITH_DELETE = Math.floor((MAX_TRANSACT_ITEMS - OWN_ITEMS) / ITEMS_PER_GROUP);
/** Groups left per transaction before it, when a user is in more: one item updates the user. */
const GROUPS_PER_STEP = Math.floor((MAX_TRANSACT_ITEMS - 1) / ITEMS_PER_GROUP);
/** Rounds of leaving out groups found deleted before a deletion gives up. */
const MAX_DELETE_ROUNDS = 4;

/**
 * Users on the single table. A user's item carries the ids of its groups (`memberOf`), so a
 * user and its groups are read together, and deleting a user takes it out of its groups in
 * the same transaction as the deletion (up to 48 groups; more are left in steps before it).
 */
export class DynamoUserStore extends DynamoResourceStore implements UserStore {
  constructor(client: DynamoDBDocumentClient, tableName: string, directory: string) {
    super(client, tableName, directory, 'User');
  }

  /**
   * Deletes the user, its guard, a counter shard, its member items and the groups' counts.
   * The user's condition covers its version and its set of groups, so a membership added
   * meanwhile cancels the deletion (the caller re-reads) instead of being left behind. A
   * group deleted since the user joined it only loses the member item, if any is left.
   */
  override async delete(current: StoredResource, now = new Date().toISOString()): Promise<void> {
    const gone = new Set<string>();
    let groups = [...(current.groupIds ?? [])];
    for (let round = 0; ; round++) {
      // Each transaction's items, and for each item the group whose count it changes.
      let items: TransactItem[] = [];
      let counts: (string | undefined)[] = [];
      const add = (item: TransactItem, countOf?: string) => {
        items.push(item);
        counts.push(countOf);
      };
      const leave = (step: readonly string[]) => {
        for (const gid of step) {
          add({ Delete: { TableName: this.tableName, Key: memberKey(this.directory, gid, current.id) } });
          if (!gone.has(gid)) add(bumpGroup(this.tableName, this.directory, gid, -1, now), gid);
        }
      };
      try {
        while (groups.length > GROUPS_WITH_DELETE) {
          const step = groups.slice(0, GROUPS_PER_STEP);
          items = [];
          counts = [];
          add(this.leaveGroups(current.id, step, current.version));
          leave(step);
          await transactWrite(this.client, items);
          groups = groups.slice(GROUPS_PER_STEP);
        }
        items = [];
        counts = [];
        add(this.deleteUser(current.id, current.version, groups));
        add(this.deleteGuard(current.id, current.uniqueValue));
        add(this.countBy(-1));
        leave(groups);
        await transactWrite(this.client, items);
        return;
      } catch (error) {
        if (!(error instanceof TransactionCancelled)) throw error;
        // A failed count is a group deleted since the user joined it: only its member item
        // goes. Any other failed condition is the user's (changed meanwhile: the caller re-reads).
        const gidsGone = error.failedConditions.map((i) => counts[i]);
        if (gidsGone.some((gid) => gid === undefined) || round >= MAX_DELETE_ROUNDS) throw this.conflict(error, {});
        for (const gid of gidsGone) gone.add(gid!);
      }
    }
  }

  /**
   * The user with this userName (case-insensitively) and, when `withGroups`, the groups its
   * item names: usually two calls. The listing index (eventually consistent) gives the user's
   * id and the ids of its groups; one consistent batch read of the user and those groups then
   * confirms the user still has this userName, which the uniqueness guard makes the answer.
   * When the index shows no such user (none exists, or it was created or renamed a moment
   * ago), the uniqueness guard decides. Groups the user's item names that the index did not
   * are absent from `askedFor`: the caller reads them.
   */
  async findWithGroups(userName: string, withGroups = true): Promise<UserWithGroups | undefined> {
    const listed = await this.listed(userName);
    const hinted = withGroups ? [...new Set(listed.flatMap((user) => user.groupIds ?? []))] : [];
    const keys = [...listed.map((user) => this.key(user.id)), ...hinted.map((gid) => this.groupKey(gid))];
    const items = keys.length > 0 ? await batchGet(this.client, this.tableName, keys) : [];
    const userItem = items.find((item) => item.sk === resourceSk('User') && uniqueKey(String(item.uniqueValue)) === uniqueKey(userName));
    if (!userItem) {
      const user = await this.findByUniqueValue(userName);
      return user ? { user, groups: [], askedFor: new Set() } : undefined;
    }
    const groups = items.filter((item) => item.sk === resourceSk('Group')).map((item) => this.fromItem(item, 'Group'));
    return { user: this.fromItem(userItem), groups, askedFor: new Set(hinted) };
  }

  /** Users the listing index shows under this userName (a few at most; may lag the table). */
  private async listed(userName: string): Promise<StoredResource[]> {
    const found: StoredResource[] = [];
    for await (const item of this.query({
      IndexName: INDEXES.byType.indexName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': INDEXES.byType.partitionKey, '#sk': INDEXES.byType.sortKey },
      ExpressionAttributeValues: { ':pk': listingPk(this.directory, 'User'), ':prefix': listingSk(userName, '') },
      Limit: 5,
    })) {
      found.push(this.fromItem(item));
      if (found.length >= 5) break;
    }
    return found;
  }

  /** The user's deletion, if it is still at `version` and in exactly `groups`. */
  private deleteUser(id: string, version: number, groups: readonly string[]): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: this.key(id),
        ConditionExpression: groups.length > 0 ? 'version = :expected AND memberOf = :groups' : 'version = :expected AND attribute_not_exists(memberOf)',
        ExpressionAttributeValues: { ':expected': version, ...(groups.length > 0 ? { ':groups': new Set(groups) } : {}) },
      },
    };
  }

  /** Takes `groups` out of the user's set, ahead of its deletion, if it is still at `version`. */
  private leaveGroups(id: string, groups: readonly string[], version: number): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: this.key(id),
        UpdateExpression: 'DELETE memberOf :groups',
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':groups': new Set(groups), ':expected': version },
      },
    };
  }

  private groupKey(groupId: string) {
    return { pk: resourcePk(this.directory, 'Group', groupId), sk: resourceSk('Group') };
  }
}
