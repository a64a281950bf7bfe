/**
 * The console's pages, kept in the URL fragment (`#/users?q=ada`) so that a link or a reload
 * finds the same page. Only ids and search terms go there, never the token.
 */
export type Route =
  | { readonly page: 'users' | 'groups'; readonly search: Search; readonly startIndex: number }
  | { readonly page: 'user'; readonly id: string }
  | { readonly page: 'group'; readonly id: string; readonly startIndex: number }
  | { readonly page: 'config' }
  | { readonly page: 'activity'; readonly query: ActivityQuery }
  | { readonly page: 'not-found'; readonly path: string };

/** What the Activity page shows: the directory's audit entries, or one resource's, by actor, from a cursor. */
export interface ActivityQuery {
  readonly actor?: string;
  readonly resource?: string;
  /** The page after a previous one (the endpoint's nextCursor). */
  readonly cursor?: string;
}

/** How a search box's text becomes a SCIM filter. */
export type SearchMode = 'startsWith' | 'equals' | 'filter';

export interface Search {
  readonly text: string;
  readonly mode: SearchMode;
}

const MODES: readonly SearchMode[] = ['startsWith', 'equals', 'filter'];

/** The route a fragment names; an empty fragment is the users page. */
export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  const startIndex = Math.max(1, Math.floor(Number(params.get('startIndex'))) || 1);
  const mode = params.get('mode') as SearchMode;
  const search: Search = { text: params.get('q') ?? '', mode: MODES.includes(mode) ? mode : 'startsWith' };
  if (parts.length === 0) return { page: 'users', search, startIndex };
  if (parts.length === 1 && (parts[0] === 'users' || parts[0] === 'groups')) return { page: parts[0], search, startIndex };
  if (parts.length === 2 && parts[0] === 'users') return { page: 'user', id: parts[1] };
  if (parts.length === 2 && parts[0] === 'groups') return { page: 'group', id: parts[1], startIndex };
  if (parts.length === 1 && parts[0] === 'config') return { page: 'config' };
  if (parts.length === 1 && parts[0] === 'activity') {
    const pick = (name: string) => params.get(name)?.trim() || undefined;
    const query = { actor: pick('actor'), resource: pick('resource'), cursor: pick('cursor') };
    return { page: 'activity', query: Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) };
  }
  return { page: 'not-found', path };
}

/** The fragment of a route, the inverse of parseRoute. */
export function formatRoute(route: Route): string {
  switch (route.page) {
    case 'users':
    case 'groups': {
      const params = new URLSearchParams();
      if (route.search.text) {
        params.set('q', route.search.text);
        if (route.search.mode !== 'startsWith') params.set('mode', route.search.mode);
      }
      if (route.startIndex > 1) params.set('startIndex', String(route.startIndex));
      const query = params.toString();
      return `#/${route.page}${query ? `?${query}` : ''}`;
    }
    case 'user':
      return `#/users/${encodeURIComponent(route.id)}`;
    case 'group':
      return `#/groups/${encodeURIComponent(route.id)}${route.startIndex > 1 ? `?startIndex=${route.startIndex}` : ''}`;
    case 'config':
      return '#/config';
    case 'activity': {
      const params = new URLSearchParams();
      for (const name of ['actor', 'resource', 'cursor'] as const) if (route.query[name]) params.set(name, route.query[name]!);
      const query = params.toString();
      return `#/activity${query ? `?${query}` : ''}`;
    }
    case 'not-found':
      return `#${route.path}`;
  }
}

/**
 * The SCIM filter a search stands for (RFC 7644 §3.4.2.2): `sw` or `eq` on the given
 * attribute, or the text as a filter of its own. The value is a JSON string, escaped as one.
 */
export function searchFilter(search: Search, attribute: string): string | undefined {
  const text = search.text.trim();
  if (!text) return undefined;
  if (search.mode === 'filter') return text;
  return `${attribute} ${search.mode === 'equals' ? 'eq' : 'sw'} ${JSON.stringify(text)}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
