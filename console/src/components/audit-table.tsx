import { formatDateTime } from '../format';
import { formatRoute } from '../route';
import type { AuditChange, AuditEntry } from '../scim-client';

const OPERATIONS: Record<AuditEntry['operation'], string> = { create: 'Created', replace: 'Replaced', patch: 'Patched', delete: 'Deleted' };

/**
 * Audit entries, newest first: when, which token, what was done to which resource, and each
 * attribute path with its value before and after (member ids added and removed). `resource`
 * is left out on a resource's own History.
 */
export function AuditTable({ entries, label, showResource = true }: { entries: readonly AuditEntry[]; label: string; showResource?: boolean }) {
  return (
    <table class="list audit" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Actor</th>
          <th scope="col">Change</th>
          {showResource ? <th scope="col">Resource</th> : null}
          <th scope="col">What changed</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id}>
            <td>
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
            </td>
            <td>
              <span title={`token ${entry.actor.tokenId}`}>{entry.actor.name}</span>
              {entry.sourceAddress ? <span class="muted small"> from {entry.sourceAddress}</span> : null}
            </td>
            <td>
              {OPERATIONS[entry.operation] ?? entry.operation}
              {entry.bulk ? <span class="muted small"> (Bulk #{entry.bulk.index + 1})</span> : null}
              <span class="muted small request" title="request id"> {entry.requestId}</span>
            </td>
            {showResource ? (
              <td>
                <span class="muted">{entry.resourceType}</span>{' '}
                {entry.operation === 'delete' ? entry.resourceName : <a href={linkOf(entry)}>{entry.resourceName}</a>}
              </td>
            ) : null}
            <td>
              <Changes entry={entry} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * What an entry changed. A create or a delete sets or clears every attribute: beyond a couple,
 * those are folded into "N attributes" (opened on demand), so that a page of creates stays
 * readable; memberships and the paths a PUT or PATCH changed are always shown.
 */
function Changes({ entry }: { entry: AuditEntry }) {
  if (entry.changes.length === 0) return <span class="muted">—</span>;
  const memberships = entry.changes.filter((c) => c.added || c.removed);
  const attributes = entry.changes.filter((c) => !(c.added || c.removed));
  const fold = (entry.operation === 'create' || entry.operation === 'delete') && attributes.length > 2;
  const list = (changes: readonly AuditChange[]) => (
    <ul class="changes">
      {changes.map((change) => (
        <li key={change.path}>
          <code>{change.path}</code> {describe(change)}
        </li>
      ))}
    </ul>
  );
  return (
    <>
      {fold ? (
        <details>
          <summary>
            {attributes.length} attributes {entry.operation === 'create' ? 'set' : 'cleared'}
          </summary>
          {list(attributes)}
        </details>
      ) : attributes.length > 0 ? (
        list(attributes)
      ) : null}
      {memberships.length > 0 ? list(memberships) : null}
    </>
  );
}

function linkOf(entry: AuditEntry): string {
  return formatRoute(entry.resourceType === 'Group' ? { page: 'group', id: entry.resourceId, startIndex: 1 } : { page: 'user', id: entry.resourceId });
}

/** A change as one line: `+3 −1` for memberships, `"before" → "after"` otherwise (digests shown as sizes). */
function describe(change: AuditChange): string {
  if (change.added || change.removed) {
    const parts = [];
    if (change.added?.length) parts.push(`+${change.added.length} (${short(change.added)})`);
    if (change.removed?.length) parts.push(`−${change.removed.length} (${short(change.removed)})`);
    return parts.join(' ');
  }
  const value = (v: unknown, digest?: { bytes: number }) => (digest ? `[${digest.bytes} bytes]` : v === undefined ? '(none)' : clip(JSON.stringify(v)));
  return `${value(change.before, change.beforeDigest)} → ${value(change.after, change.afterDigest)}`;
}

const short = (ids: readonly string[]) => `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}`;
const clip = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}…` : text);
