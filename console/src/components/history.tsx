import { formatRoute } from '../route';
import type { ScimClient } from '../scim-client';
import { AuditTable } from './audit-table';
import { Failure, Loading } from './status';
import { useLoad } from './use-load';

/** How many changes a History section shows; the rest are on the Activity page. */
const HISTORY_SIZE = 10;

/** A user's or group's History: its latest changes and who made them (GET /Audit?resourceId=). */
export function History({ client, id, what }: { client: ScimClient; id: string; what: string }) {
  const load = useLoad(() => client.audit({ resourceId: id, count: HISTORY_SIZE }), id);
  return (
    <section aria-labelledby="history">
      <h2 id="history">History</h2>
      {load.state === 'loading' ? <Loading what="the history" /> : null}
      {load.state === 'failed' ? <Failure error={load.error} /> : null}
      {load.state === 'done' ? (
        load.value.Resources.length === 0 ? (
          <p class="empty">No change of this {what} is recorded (or its entries have expired).</p>
        ) : (
          <>
            <AuditTable entries={load.value.Resources} label="History" showResource={false} />
            {load.value.nextCursor ? (
              <p>
                <a href={formatRoute({ page: 'activity', query: { resource: id } })}>All changes of this {what} →</a>
              </p>
            ) : null}
          </>
        )
      ) : null}
    </section>
  );
}
