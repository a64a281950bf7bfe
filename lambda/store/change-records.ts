import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { MEMBER_PREFIX, memberOfSk, resourceSk } from './keys';

/**
 * Turns a record of the table's stream (NEW_AND_OLD_IMAGES) into the change it stands for.
 * It reads the data model of lambda/store/keys.ts: resources are `<dir>#USER#<id>` / `USER`
 * (or GROUP) items with a `document`; memberships are `<dir>#GROUP#<gid>` / `MEMBER#<uid>`.
 * Guards and counters are not changes and yield nothing.
 */

/** What happened. The stream cannot tell a PUT from a PATCH: both are `updated`, with the attributes that changed. */
export type ChangeOperation = 'created' | 'updated' | 'deleted' | 'memberAdded' | 'memberRemoved';

/** One committed change, as published. */
export interface ChangeEvent {
  /** The stream record's id: the same change delivered twice has the same id. */
  readonly eventId: string;
  readonly directoryId: string;
  readonly resourceType: 'User' | 'Group';
  /** The user's or the group's id (for membership changes, the group's). */
  readonly id: string;
  readonly operation: ChangeOperation;
  /** Attribute names whose value changed, sorted; extension attributes as `<schema URN>:<name>`. */
  readonly changedAttributes: string[];
  /** For memberAdded / memberRemoved: the user's id. */
  readonly memberId?: string;
  /** meta.version after the change (absent on delete and membership changes). */
  readonly version?: number;
  /** When DynamoDB committed the change (ISO 8601, to the second). */
  readonly at?: string;
}

/** The parts of a stream record this reads; both Lambda's event and DynamoDB Streams' GetRecords have them. */
export interface ChangeRecord {
  readonly eventID?: string;
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE' | string;
  readonly dynamodb?: {
    readonly Keys?: Record<string, unknown>;
    readonly NewImage?: Record<string, unknown>;
    readonly OldImage?: Record<string, unknown>;
    readonly ApproximateCreationDateTime?: number | Date;
    readonly SequenceNumber?: string;
  };
}

const KINDS = { [resourceSk('User')]: 'User', [resourceSk('Group')]: 'Group' } as const;

/** The change a stream record stands for, or undefined when it is not a change of a user, group or membership. */
export function changeEventOf(record: ChangeRecord): ChangeEvent | undefined {
  const data = record.dynamodb;
  if (!data?.Keys || !record.eventName) return undefined;
  const keys = image(data.Keys);
  const pk = String(keys.pk ?? '');
  const sk = String(keys.sk ?? '');
  const [directoryId, tag, id] = pk.split('#');
  if (!directoryId || !id) return undefined;
  const base = {
    eventId: record.eventID ?? data.SequenceNumber ?? '',
    directoryId,
    id,
    ...(data.ApproximateCreationDateTime !== undefined ? { at: isoTime(data.ApproximateCreationDateTime) } : {}),
  };

  if (sk.startsWith(MEMBER_PREFIX) && tag === resourceSk('Group')) {
    if (record.eventName === 'MODIFY') return undefined;
    const operation = record.eventName === 'INSERT' ? 'memberAdded' : 'memberRemoved';
    return { ...base, resourceType: 'Group', operation, changedAttributes: ['members'], memberId: memberOfSk(sk) };
  }

  const resourceType = KINDS[sk];
  if (!resourceType || tag !== sk) return undefined;
  const before = data.OldImage ? image(data.OldImage) : undefined;
  const after = data.NewImage ? image(data.NewImage) : undefined;
  const version = typeof after?.version === 'number' ? { version: after.version } : {};
  switch (record.eventName) {
    case 'INSERT':
      return { ...base, resourceType, operation: 'created', changedAttributes: changedAttributes({}, document(after)), ...version };
    case 'REMOVE':
      return { ...base, resourceType, operation: 'deleted', changedAttributes: [] };
    case 'MODIFY': {
      // A membership change bumps the group's version and count without touching its document:
      // that is told by the memberAdded/memberRemoved events, not as an update.
      const changed = changedAttributes(document(before), document(after));
      return changed.length === 0 ? undefined : { ...base, resourceType, operation: 'updated', changedAttributes: changed, ...version };
    }
    default:
      return undefined;
  }
}

/** Top-level attribute names that differ; inside an extension (a `urn:` key), its attribute names. */
export function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'schemas' || key === 'meta') continue;
    const [a, b] = [before[key], after[key]];
    if (key.startsWith('urn:') && isObject(a ?? {}) && isObject(b ?? {})) {
      for (const sub of changedAttributes((a ?? {}) as Record<string, unknown>, (b ?? {}) as Record<string, unknown>)) names.add(`${key}:${sub}`);
    } else if (stableJson(a) !== stableJson(b)) {
      names.add(key);
    }
  }
  return [...names].sort();
}

function image(value: Record<string, unknown>): Record<string, unknown> {
  return unmarshall(value as Record<string, AttributeValue>);
}

function document(item: Record<string, unknown> | undefined): Record<string, unknown> {
  return isObject(item?.document) ? (item!.document as Record<string, unknown>) : {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted, so that key order never reads as a change. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'undefined';
}

/** Lambda gives seconds since the epoch; the SDK gives a Date. */
function isoTime(value: number | Date): string {
  return (value instanceof Date ? value : new Date(value * 1000)).toISOString();
}
