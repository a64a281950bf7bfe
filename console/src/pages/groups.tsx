import { Pager } from '../components/pager';
import { SearchForm } from '../components/search-form';
import { Failure, Loading } from '../components/status';
import { useLoad } from '../components/use-load';
import { formatDateTime } from '../format';
import { formatRoute, searchFilter, type Search } from '../route';
import type { ScimClient } from '../scim-client';
import { PAGE_SIZE } from './page-size';

/**
 * The groups, without their members: `excludedAttributes=members` makes the page one cheap
 * listing, while counting members would read every member of every group on the page. The
 * count is on each group's page.
 */
export function GroupsPage({ client, search, startIndex, navigate }: { client: ScimClient; search: Search; startIndex: number; navigate: (hash: string) => void }) {
  const filter = searchFilter(search, 'displayName');
  const load = useLoad(() => client.list('Groups', { filter, startIndex, count: PAGE_SIZE, excludedAttributes: 'members' }), `${filter}|${startIndex}`);
  const hrefAt = (at: number) => formatRoute({ page: 'groups', search, startIndex: at });
  return (
    <>
      <h1 tabIndex={-1}>Groups</h1>
      <SearchForm key={`${search.mode}:${search.text}`} attribute="displayName" search={search} onSearch={(next) => navigate(formatRoute({ page: 'groups', search: next, startIndex: 1 }))} />
      {filter ? (
        <p class="filter">
          Filter: <code>{filter}</code>
        </p>
      ) : null}
      {load.state === 'loading' ? <Loading what="groups" /> : null}
      {load.state === 'failed' ? <Failure error={load.error} /> : null}
      {load.state === 'done' ? (
        <>
          <table class="list" aria-label="Groups">
            <thead>
              <tr>
                <th scope="col">displayName</th>
                <th scope="col">externalId</th>
                <th scope="col">Last modified</th>
              </tr>
            </thead>
            <tbody>
              {load.value.Resources.map((group) => (
                <tr key={group.id}>
                  <td>
                    <a href={formatRoute({ page: 'group', id: group.id, startIndex: 1 })}>{String(group.displayName ?? group.id)}</a>
                  </td>
                  <td>{String(group.externalId ?? '')}</td>
                  <td>
                    <time dateTime={group.meta?.lastModified}>{formatDateTime(group.meta?.lastModified)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Groups pages" startIndex={load.value.startIndex} shown={load.value.Resources.length} total={load.value.totalResults} pageSize={PAGE_SIZE} hrefAt={hrefAt} />
          <p class="muted">Member counts are on each group's page: counting means reading every member.</p>
        </>
      ) : null}
    </>
  );
}
