import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { recordOf, type AuditRecord } from './audit';
import { AUDIT_PREFIX, DIRECTORY_TAG } from './keys';
import type { Actor, AuditChange, ResourceKind } from './types';

/**
 * Turns a record of the table's stream (NEW_AND_OLD_IMAGES) into the changes it stands for.
 * Changes are read from the audit trail (lambda/store/audit.ts): every applied change writes
 * exactly one audit entry in its own transaction (and, for a change of several transactions,
 * a page in each other), so the stream's audit inserts are every change, once, each with the
 * token that made it. A deletion is attributed too, which the deleted item's old image could
 * not do. Everything else the stream carries (resources, guards, counters, member items, and
 * the audit items TTL removes) yields nothing.
 */

/** What happened. A PUT and a PATCH are both `updated`, with the attributes that changed. */
export type ChangeOperation = 'created' | 'updated' | 'deleted' | 'memberAdded' | 'memberRemoved';

/** One committed change, as published. */
export interface ChangeEvent {
  /**
   * Unique per event and stable across redeliveries: the stream record's id, with `:<n>` for
   * the n-th further event of one record (a member change names several members).
   */
  readonly eventId: string;
  readonly directoryId: string;
  /** `Directory` for a directory's deletion (`npm run directory -- delete`): everything of it is gone. */
  readonly resourceType: 'User' | 'Group' | 'Directory';
  /** The user's or the group's id (for membership changes, the group's); the directory's for `Directory`. */
  readonly id: string;
  readonly operation: ChangeOperation;
  /** Attribute names whose value changed, sorted; extension attributes as `<schema URN>:<name>`. */
  readonly changedAttributes: string[];
  /** For memberAdded / memberRemoved: the user's id. */
  readonly memberId?: string;
  /** meta.version after the change (on created and updated). */
  readonly version?: number;
  /** When the change was made (ISO 8601, milliseconds). */
  readonly at?: string;
  /** The token the change was made with. */
  readonly actor: Actor;
  /** The request that made it (the access log and the function log carry the same id). */
  readonly requestId: string;
  /** The audit entry that records it (`npm run audit`, GET /Audit); for `Directory`, the deletion's id. */
  readonly auditEntryId: string;
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

/** Paths whose changes are memberships, told as member events rather than as an update. */
const MEMBERSHIP_PATHS = new Set(['members', 'groups']);

/** The changes a stream record stands for: none unless it is an audit item being written. */
export function changeEventsOf(record: ChangeRecord): ChangeEvent[] {
  const data = record.dynamodb;
  if (record.eventName !== 'INSERT' || !data?.Keys || !data.NewImage) return [];
  const keys = image(data.Keys);
  const sk = String(keys.sk ?? '');
  if (!sk.startsWith(AUDIT_PREFIX)) return [];
  if (String(keys.pk ?? '').endsWith(`#${DIRECTORY_TAG}`)) return [directoryDeleted(image(data.NewImage), record.eventID ?? data.SequenceNumber ?? '')];
  const audit = recordOf(image(data.NewImage));
  const recordId = record.eventID ?? data.SequenceNumber ?? audit.id;
  return eventsOf(audit).map((event, n) => ({ ...event, eventId: n === 0 ? recordId : `${recordId}:${n}` }));
}

type Unnumbered = Omit<ChangeEvent, 'eventId'>;

/**
 * A directory's deletion, told once (lambda/store/directory-data.ts announceDeletion): not an
 * event per user, group and membership, which would be tens of thousands for one operator
 * action and, carrying no audit entry of their own, could name no actor. A consumer drops
 * everything it keeps of the directory.
 */
function directoryDeleted(item: Record<string, unknown>, eventId: string): ChangeEvent {
  const actor = item.actor as { tokenId: string; name: string };
  const id = String(item.id);
  return {
    eventId,
    directoryId: String(item.directory),
    resourceType: 'Directory',
    id: String(item.directory),
    operation: 'deleted',
    changedAttributes: [],
    at: String(item.at),
    actor: { tokenId: actor.tokenId, name: actor.name },
    requestId: id,
    auditEntryId: id,
  };
}

/** The events of one audit item: its own change (an entry), then one per member it names. */
function eventsOf(audit: AuditRecord): Unnumbered[] {
  const base = { directoryId: audit.directory, at: audit.at, actor: { tokenId: audit.actor.tokenId, name: audit.actor.name }, requestId: audit.requestId, auditEntryId: audit.id };
  const own = { ...base, resourceType: audit.resourceType, id: audit.resourceId };
  const version = audit.version !== undefined ? { version: audit.version } : {};
  const events: Unnumbered[] = [];
  if (audit.step === undefined) {
    const changed = changedAttributes(audit.changes.filter((c) => !MEMBERSHIP_PATHS.has(c.path)));
    if (audit.operation === 'create') events.push({ ...own, operation: 'created', changedAttributes: changed, ...version });
    else if (audit.operation === 'delete') events.push({ ...own, operation: 'deleted', changedAttributes: [] });
    else if (changed.length > 0) events.push({ ...own, operation: 'updated', changedAttributes: changed, ...version });
  }
  for (const change of audit.changes) {
    if (change.path === 'members') {
      // A group's members: the events are the group's.
      for (const memberId of change.added ?? []) events.push({ ...own, operation: 'memberAdded', changedAttributes: ['members'], memberId });
      for (const memberId of change.removed ?? []) events.push({ ...own, operation: 'memberRemoved', changedAttributes: ['members'], memberId });
    } else if (change.path === 'groups') {
      // The groups a deleted user left: each a membership removed from that group.
      for (const groupId of change.removed ?? []) {
        events.push({ ...base, resourceType: 'Group' as ResourceKind, id: groupId, operation: 'memberRemoved', changedAttributes: ['members'], memberId: audit.resourceId });
      }
    }
  }
  return events;
}

/**
 * The top-level attribute names of changed paths, sorted: `name.givenName` is `name`; an
 * extension attribute keeps its URN, `<urn>:manager.value` is `<urn>:manager`.
 */
export function changedAttributes(changes: readonly AuditChange[]): string[] {
  const names = new Set<string>();
  for (const { path } of changes) {
    const nameStart = path.startsWith('urn:') ? path.lastIndexOf(':') + 1 : 0;
    const dot = path.indexOf('.', nameStart);
    names.add(dot < 0 ? path : path.slice(0, dot));
  }
  return [...names].sort();
}

function image(value: Record<string, unknown>): Record<string, unknown> {
  return unmarshall(value as Record<string, AttributeValue>);
}
