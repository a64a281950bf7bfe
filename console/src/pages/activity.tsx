import { useState } from 'preact/hooks';
import { AuditTable } from '../components/audit-table';
import { Failure, Loading } from '../components/status';
import { useLoad } from '../components/use-load';
import { formatRoute, type ActivityQuery } from '../route';
import type { ScimClient } from '../scim-client';
import { PAGE_SIZE } from './page-size';

/** The directory's audit trail: every change, newest first, by actor or for one resource, a page at a time. */
export function ActivityPage({ client, query, navigate }: { client: ScimClient; query: ActivityQuery; navigate: (hash: string) => void }) {
  const load = useLoad(() => client.audit({ actor: query.actor, resourceId: query.resource, cursor: query.cursor, count: PAGE_SIZE }), JSON.stringify(query));
  const [actor, setActor] = useState(query.actor ?? '');
  return (
    <>
      <h1 tabIndex={-1}>Activity</h1>
      <p class="sub">Every change applied to this directory, newest first, with the token that made it.</p>
      <form
        class="search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(formatRoute({ page: 'activity', query: { actor: actor.trim() || undefined, resource: query.resource } }));
        }}
      >
        <label class="grow">
          Actor
          <input type="search" name="actor" value={actor} placeholder="token name or id, e.g. okta-prod" spellcheck={false} autocomplete="off" onInput={(e) => setActor((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit">Show</button>
        {query.actor || query.resource ? (
          <button type="button" class="secondary" onClick={() => { setActor(''); navigate(formatRoute({ page: 'activity', query: {} })); }}>
            All changes
          </button>
        ) : null}
      </form>
      {query.resource ? (
        <p class="filter">
          Resource: <code>{query.resource}</code>
        </p>
      ) : null}
      {load.state === 'loading' ? <Loading what="activity" /> : null}
      {load.state === 'failed' ? <Failure error={load.error} /> : null}
      {load.state === 'done' ? (
        <>
          {load.value.Resources.length === 0 ? <p class="empty">No changes{query.cursor ? ' further back' : ''}.</p> : <AuditTable entries={load.value.Resources} label="Activity" />}
          <nav class="pager" aria-label="Activity pages">
            <p class="count" aria-live="polite">
              {load.value.Resources.length} change{load.value.Resources.length === 1 ? '' : 's'}{query.cursor ? ' (older)' : ''}
            </p>
            {query.cursor ? <a href={formatRoute({ page: 'activity', query: { ...query, cursor: undefined } })}>← Newest</a> : <span aria-hidden="true" class="disabled">← Newest</span>}
            {load.value.nextCursor ? (
              <a href={formatRoute({ page: 'activity', query: { ...query, cursor: load.value.nextCursor } })} rel="next">
                Older →
              </a>
            ) : (
              <span aria-hidden="true" class="disabled">Older →</span>
            )}
          </nav>
        </>
      ) : null}
    </>
  );
}
