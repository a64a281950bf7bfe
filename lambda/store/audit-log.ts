import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mergePages, recordOf, type AuditRecord } from './audit';
import { mapConcurrently } from './concurrency';
import { AUDIT_PREFIX, auditListingPk, auditPk } from './keys';
import { isPossibleId } from './resource-table';
import { INDEXES } from './table';
import { InvalidPosition, type AuditEntry, type AuditPage, type AuditQuery, type AuditReads } from './types';

/** Query pages (each up to 1 MB) one list call reads at most before it answers with what it found. */
const MAX_QUERY_PAGES = 8;
/** Entries whose pages are read at once. */
const CONCURRENCY = 8;

type Item = Record<string, unknown>;

/**
 * Reads a directory's audit trail, newest first: one resource's history from its own
 * partition (consistent), or the directory's activity from the listing index (eventually
 * consistent, a second or so behind). `since` narrows the key range; `actor` filters (what is
 * filtered out is still read, and counted within MAX_QUERY_PAGES). An entry of a change of
 * several transactions is read with its pages and returned whole.
 */
export class DynamoAuditLog implements AuditReads {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly directory: string,
  ) {}

  async list(query: AuditQuery): Promise<AuditPage> {
    if (query.resourceId !== undefined && !isPossibleId(query.resourceId)) return { entries: [] };
    const start = query.after === undefined ? undefined : this.startKey(query.after, query.resourceId === undefined);
    const heads: Item[] = [];
    let exclusiveStartKey: Item | undefined = start;
    let more = false;
    for (let pages = 0; heads.length < query.count && pages < MAX_QUERY_PAGES; pages++) {
      const page = await this.client.send(
        new QueryCommand({ ...this.input(query), ExclusiveStartKey: exclusiveStartKey, Limit: Math.min(1000, Math.max(25, query.count * 2)) }),
      );
      for (const item of page.Items ?? []) {
        if (heads.length === query.count) {
          more = true;
          break;
        }
        heads.push(item);
      }
      exclusiveStartKey = page.LastEvaluatedKey;
      if (!exclusiveStartKey || more) break;
    }
    // More may follow the last entry returned, or, when the read stopped early, the last item read.
    const resumeAt = more ? heads[heads.length - 1] : exclusiveStartKey;
    const entries = await mapConcurrently(heads.map(recordOf), CONCURRENCY, (head) => this.whole(head));
    return { entries, ...(resumeAt ? { next: positionOf(this.directory, resumeAt) } : {}) };
  }

  /** An entry with the members its later transactions applied (its pages), when it has any. */
  private async whole(head: AuditRecord): Promise<AuditEntry> {
    if (!head.continued) return mergePages(head, []);
    const pages: AuditRecord[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': auditPk(this.directory, head.resourceId), ':prefix': `${headSk(head)}#` },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      pages.push(...(page.Items ?? []).map(recordOf));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return mergePages(head, pages);
  }

  private input(query: AuditQuery): QueryCommandInput {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const filters: string[] = [];
    let key: string;
    if (query.resourceId !== undefined) {
      // The resource's partition holds its entries and their pages: only entries are listed.
      key = '#pk = :pk AND #sk >= :from';
      names['#pk'] = 'pk';
      names['#sk'] = 'sk';
      values[':pk'] = auditPk(this.directory, query.resourceId);
      filters.push('attribute_not_exists(#step)');
      names['#step'] = 'step';
    } else {
      key = '#pk = :pk AND #sk >= :from';
      names['#pk'] = INDEXES.byType.partitionKey;
      names['#sk'] = INDEXES.byType.sortKey;
      values[':pk'] = auditListingPk(this.directory);
    }
    values[':from'] = `${AUDIT_PREFIX}${query.since ?? ''}`;
    if (query.actor !== undefined) {
      filters.push('(#actor.#name = :actor OR #actor.#tokenId = :actor)');
      Object.assign(names, { '#actor': 'actor', '#name': 'name', '#tokenId': 'tokenId' });
      values[':actor'] = query.actor;
    }
    return {
      TableName: this.tableName,
      ...(query.resourceId === undefined ? { IndexName: INDEXES.byType.indexName } : { ConsistentRead: true }),
      KeyConditionExpression: key,
      ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    };
  }

  /**
   * The key to resume after, rebuilt in this directory from a position: a position names a
   * resource and a sort key, never a partition, so it cannot lead into another directory; and
   * it names the directory it was given in, so another directory refuses it (as cursors of
   * users and groups are refused, lambda/scim/cursor.ts).
   */
  private startKey(position: string, listing: boolean): Item {
    const [resourceId, sk] = parsePosition(position, this.directory);
    const key: Item = { pk: auditPk(this.directory, resourceId), sk };
    if (listing) Object.assign(key, { [INDEXES.byType.partitionKey]: auditListingPk(this.directory), [INDEXES.byType.sortKey]: sk });
    return key;
  }
}

/** An entry's own sort key, rebuilt from its record. */
function headSk(record: AuditRecord): string {
  return `${AUDIT_PREFIX}${record.at}#${record.id}`;
}

/** A position: the directory, and the resource and sort key of the item to resume after, as JSON. */
function positionOf(directory: string, item: Item): string {
  const pk = String(item.pk);
  const resourceId = pk.slice(pk.indexOf(`#${AUDIT_PREFIX}`) + AUDIT_PREFIX.length + 1);
  return JSON.stringify([directory, resourceId, String(item.sk)]);
}

/** The resource and sort key of a position given in `directory`; InvalidPosition for anything else. */
export function parsePosition(position: string, directory: string): [string, string] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(position);
  } catch {
    throw new InvalidPosition();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) throw new InvalidPosition();
  const [of, resourceId, sk] = parsed as [string, string, string];
  if (of !== directory || !isPossibleId(resourceId) || !sk.startsWith(AUDIT_PREFIX) || sk.length > 400) throw new InvalidPosition();
  return [resourceId, sk];
}
