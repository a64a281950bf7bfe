import { ActiveState, AttributeList } from '../components/attributes';
import { History } from '../components/history';
import { Pager } from '../components/pager';
import { Failure, Loading } from '../components/status';
import { useLoad } from '../components/use-load';
import { formatDateTime } from '../format';
import { formatRoute } from '../route';
import { ScimRequestError, type ScimClient, type ScimResource } from '../scim-client';
import { PAGE_SIZE } from './page-size';

/** One page of a group's members, and how many there are in all. */
interface MemberPage {
  readonly total: number;
  readonly startIndex: number;
  readonly rows: readonly { id: string; userName?: string; displayName?: string; active?: unknown }[];
  /** True when the names came with the page; false when only the member ids are known. */
  readonly named: boolean;
}

/**
 * A page of members as users, with their names: `groups.value eq "<id>"` is the form AWS IAM
 * Identity Center documents, and its totalResults is the member count. An endpoint that does
 * not support that filter answers 400: then the group's own `members` are read and paged here.
 */
export async function readMembers(client: ScimClient, groupId: string, startIndex: number): Promise<MemberPage> {
  try {
    const list = await client.list('Users', {
      filter: `groups.value eq ${JSON.stringify(groupId)}`,
      startIndex,
      count: PAGE_SIZE,
      attributes: 'userName,displayName,active',
    });
    return {
      total: list.totalResults,
      startIndex: list.startIndex,
      named: true,
      rows: list.Resources.map((u) => ({ id: u.id, userName: u.userName as string, displayName: u.displayName as string, active: u.active })),
    };
  } catch (error) {
    if (!(error instanceof ScimRequestError) || error.status !== 400) throw error;
    const group = await client.read<ScimResource>('Groups', groupId, { attributes: 'members' });
    const members = (Array.isArray(group.members) ? group.members : []) as { value: string; display?: string }[];
    return {
      total: members.length,
      startIndex,
      named: false,
      rows: members.slice(startIndex - 1, startIndex - 1 + PAGE_SIZE).map((m) => ({ id: m.value, displayName: m.display })),
    };
  }
}

/** One group: its attributes, its member count and its members, a page at a time. */
export function GroupPage({ client, id, startIndex }: { client: ScimClient; id: string; startIndex: number }) {
  const group = useLoad(() => client.read('Groups', id, { excludedAttributes: 'members' }), id);
  const members = useLoad(() => readMembers(client, id, startIndex), `${id}|${startIndex}`);
  if (group.state === 'loading') return <><h1 tabIndex={-1}>Group</h1><Loading what="the group" /></>;
  if (group.state === 'failed') return <><h1 tabIndex={-1}>Group</h1><Failure error={group.error}><p><a href="#/groups">Back to groups</a></p></Failure></>;
  const g = group.value;
  return (
    <>
      <p class="crumbs"><a href="#/groups">Groups</a> /</p>
      <h1 tabIndex={-1}>{String(g.displayName ?? g.id)}</h1>
      <p class="sub">
        {members.state === 'done' ? `${members.value.total} member${members.value.total === 1 ? '' : 's'} · ` : ''}last modified {formatDateTime(g.meta?.lastModified)}
      </p>
      <section aria-labelledby="members">
        <h2 id="members">Members</h2>
        {members.state === 'loading' ? <Loading what="members" /> : null}
        {members.state === 'failed' ? <Failure error={members.error} /> : null}
        {members.state === 'done' ? (
          <>
            <table class="list" aria-label="Members">
              <thead>
                <tr>
                  <th scope="col">{members.value.named ? 'userName' : 'User id'}</th>
                  <th scope="col">displayName</th>
                  {members.value.named ? <th scope="col">State</th> : null}
                </tr>
              </thead>
              <tbody>
                {members.value.rows.map((m) => (
                  <tr key={m.id}>
                    <td>
                      <a href={formatRoute({ page: 'user', id: m.id })}>{m.userName ?? m.id}</a>
                    </td>
                    <td>{m.displayName ?? ''}</td>
                    {members.value.named ? (
                      <td>
                        <ActiveState value={m.active} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              label="Members pages"
              startIndex={members.value.startIndex}
              shown={members.value.rows.length}
              total={members.value.total}
              pageSize={PAGE_SIZE}
              hrefAt={(at) => formatRoute({ page: 'group', id, startIndex: at })}
            />
          </>
        ) : null}
      </section>
      <section aria-labelledby="attributes">
        <h2 id="attributes">Attributes</h2>
        <AttributeList value={g} omit={['schemas', 'meta', 'members']} first={['displayName', 'id', 'externalId']} />
      </section>
      <section aria-labelledby="meta">
        <h2 id="meta">Meta</h2>
        <AttributeList value={{ schemas: g.schemas, ...g.meta }} />
      </section>
      <History client={client} id={id} what="group" />
    </>
  );
}
