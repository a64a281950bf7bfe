import { ActiveState } from '../components/attributes';
import { Pager } from '../components/pager';
import { SearchForm } from '../components/search-form';
import { Failure, Loading } from '../components/status';
import { useLoad } from '../components/use-load';
import { formatDateTime } from '../format';
import { formatRoute, searchFilter, type Search } from '../route';
import type { ScimClient } from '../scim-client';
import { PAGE_SIZE } from './page-size';

/** Only what the table shows: a list without `groups` costs no membership reads. */
const USER_COLUMNS = 'userName,displayName,active,externalId,meta';

/** The users the identity provider provisioned: search, paging, active state, last change. */
export function UsersPage({ client, search, startIndex, navigate }: { client: ScimClient; search: Search; startIndex: number; navigate: (hash: string) => void }) {
  const filter = searchFilter(search, 'userName');
  const load = useLoad(() => client.list('Users', { filter, startIndex, count: PAGE_SIZE, attributes: USER_COLUMNS }), `${filter}|${startIndex}`);
  const hrefAt = (at: number) => formatRoute({ page: 'users', search, startIndex: at });
  return (
    <>
      <h1 tabIndex={-1}>Users</h1>
      <SearchForm key={`${search.mode}:${search.text}`} attribute="userName" search={search} onSearch={(next) => navigate(formatRoute({ page: 'users', search: next, startIndex: 1 }))} />
      {filter ? (
        <p class="filter">
          Filter: <code>{filter}</code>
        </p>
      ) : null}
      {load.state === 'loading' ? <Loading what="users" /> : null}
      {load.state === 'failed' ? <Failure error={load.error} /> : null}
      {load.state === 'done' ? (
        <>
          <table class="list" aria-label="Users">
            <thead>
              <tr>
                <th scope="col">userName</th>
                <th scope="col">displayName</th>
                <th scope="col">State</th>
                <th scope="col">externalId</th>
                <th scope="col">Last modified</th>
              </tr>
            </thead>
            <tbody>
              {load.value.Resources.map((user) => (
                <tr key={user.id}>
                  <td>
                    <a href={formatRoute({ page: 'user', id: user.id })}>{String(user.userName ?? user.id)}</a>
                  </td>
                  <td>{String(user.displayName ?? '')}</td>
                  <td>
                    <ActiveState value={user.active} />
                  </td>
                  <td>{String(user.externalId ?? '')}</td>
                  <td>
                    <time dateTime={user.meta?.lastModified}>{formatDateTime(user.meta?.lastModified)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Users pages" startIndex={load.value.startIndex} shown={load.value.Resources.length} total={load.value.totalResults} pageSize={PAGE_SIZE} hrefAt={hrefAt} />
        </>
      ) : null}
    </>
  );
}
