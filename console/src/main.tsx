import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ActivityPage } from './pages/activity';
import { GroupPage } from './pages/group';
import { GroupsPage } from './pages/groups';
import { ServiceProviderConfigPage } from './pages/service-provider-config';
import { SignIn } from './pages/sign-in';
import { UserPage } from './pages/user';
import { UsersPage } from './pages/users';
import { parseRoute, type Route } from './route';
import type { ScimClient } from './scim-client';

/** The console: a sign-in, then read-only pages over the SCIM API. */
function App() {
  const [client, setClient] = useState<ScimClient>();
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  const route = parseRoute(hash);
  const place = `${route.page}|${'id' in route ? route.id : ''}|${client ? 1 : 0}`;
  // A new page moves focus to its heading, so that screen readers announce it (not on a new search or page of a list).
  useEffect(() => {
    document.title = `${TITLES[route.page]} · SCIM directory console`;
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [place]);

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.querySelector<HTMLElement>('main h1')?.focus(); }}>
        Skip to content
      </a>
      <header>
        <span class="brand">SCIM directory console</span>
        {client ? (
          <>
            <nav aria-label="Sections">
              <a href="#/users" aria-current={route.page === 'users' || route.page === 'user' ? 'page' : undefined}>Users</a>
              <a href="#/groups" aria-current={route.page === 'groups' || route.page === 'group' ? 'page' : undefined}>Groups</a>
              <a href="#/activity" aria-current={route.page === 'activity' ? 'page' : undefined}>Activity</a>
              <a href="#/config" aria-current={route.page === 'config' ? 'page' : undefined}>Service provider</a>
            </nav>
            <span class="endpoint" title="The SCIM Base URL this console reads">{client.endpoint}</span>
            <button type="button" class="secondary" onClick={() => setClient(undefined)}>
              Disconnect
            </button>
          </>
        ) : null}
      </header>
      <main id="main">{client ? <Page route={route} client={client} /> : <SignIn onConnect={setClient} />}</main>
    </>
  );
}

const TITLES: Record<Route['page'], string> = {
  users: 'Users',
  user: 'User',
  groups: 'Groups',
  group: 'Group',
  config: 'Service provider',
  activity: 'Activity',
  'not-found': 'Not found',
};

function Page({ route, client }: { route: Route; client: ScimClient }) {
  const navigate = (hash: string) => {
    location.hash = hash;
  };
  switch (route.page) {
    case 'users':
      return <UsersPage client={client} search={route.search} startIndex={route.startIndex} navigate={navigate} />;
    case 'user':
      return <UserPage key={route.id} client={client} id={route.id} />;
    case 'groups':
      return <GroupsPage client={client} search={route.search} startIndex={route.startIndex} navigate={navigate} />;
    case 'group':
      return <GroupPage key={route.id} client={client} id={route.id} startIndex={route.startIndex} />;
    case 'config':
      return <ServiceProviderConfigPage client={client} />;
    case 'activity':
      return <ActivityPage client={client} query={route.query} navigate={navigate} />;
    case 'not-found':
      return (
        <>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            There is no page at <code>{route.path}</code>. <a href="#/users">Go to users</a>.
          </p>
        </>
      );
  }
}

render(<App />, document.getElementById('app')!);
