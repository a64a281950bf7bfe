import { ActiveState, AttributeList } from '../components/attributes';
import { History } from '../components/history';
import { Failure, Loading } from '../components/status';
import { useLoad } from '../components/use-load';
import { formatDateTime } from '../format';
import { formatRoute } from '../route';
import type { ScimClient } from '../scim-client';

/** RFC 7643 §4.3. */
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface GroupRef {
  value?: string;
  display?: string;
  type?: string;
}

/** One user: every attribute, the enterprise extension, its groups and its meta. */
export function UserPage({ client, id }: { client: ScimClient; id: string }) {
  const load = useLoad(() => client.read('Users', id), id);
  if (load.state === 'loading') return <><h1 tabIndex={-1}>User</h1><Loading what="the user" /></>;
  if (load.state === 'failed') return <><h1 tabIndex={-1}>User</h1><Failure error={load.error}><p><a href="#/users">Back to users</a></p></Failure></>;
  const user = load.value;
  const enterprise = user[ENTERPRISE_USER] as Record<string, unknown> | undefined;
  const groups = (Array.isArray(user.groups) ? user.groups : []) as GroupRef[];
  return (
    <>
      <p class="crumbs"><a href="#/users">Users</a> /</p>
      <h1 tabIndex={-1}>
        {String(user.userName ?? user.id)} <ActiveState value={user.active} />
      </h1>
      <p class="sub">
        {user.displayName ? `${String(user.displayName)} · ` : ''}last modified {formatDateTime(user.meta?.lastModified)}
      </p>
      <section aria-labelledby="core">
        <h2 id="core">Attributes</h2>
        <AttributeList value={user} omit={['schemas', 'meta', 'groups', ENTERPRISE_USER]} first={['userName', 'id', 'externalId', 'displayName', 'name', 'active']} />
      </section>
      <section aria-labelledby="enterprise">
        <h2 id="enterprise">Enterprise extension</h2>
        {enterprise ? <AttributeList value={enterprise} /> : <p class="empty">This user has no enterprise extension attributes.</p>}
      </section>
      <section aria-labelledby="groups">
        <h2 id="groups">Groups ({groups.length})</h2>
        {groups.length === 0 ? (
          <p class="empty">Not a member of any group.</p>
        ) : (
          <ul class="links">
            {groups.map((g) => (
              <li key={g.value}>
                {g.value ? <a href={formatRoute({ page: 'group', id: g.value, startIndex: 1 })}>{g.display ?? g.value}</a> : g.display}
                {g.type ? <span class="muted"> ({g.type})</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="meta">
        <h2 id="meta">Meta</h2>
        <AttributeList value={{ schemas: user.schemas, ...user.meta }} />
      </section>
      <History client={client} id={id} what="user" />
      <details>
        <summary>Raw JSON</summary>
        <pre>{JSON.stringify(user, null, 2)}</pre>
      </details>
    </>
  );
}
