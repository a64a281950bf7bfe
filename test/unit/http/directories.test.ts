import { hashToken, RecordsTokenVerifier, type TokenRecord } from '../../../lambda/http/auth';
import { serve, type App } from '../../../lambda/http/app';
import {
  directoryBaseUrl,
  directoryIdProblem,
  isDirectoryEntry,
  routesByDirectory,
  type DirectoryEntry,
} from '../../../lambda/http/directories';
import { silentLogger } from '../../../lambda/http/log';
import { route } from '../../../lambda/http/router';
import { parseTokenDocument } from '../../../lambda/http/secret-tokens';
import type { ScimRequest } from '../../../lambda/http/types';
import { decodeCursor, encodeCursor } from '../../../lambda/scim/cursor';

const HOME = 'https://scim.example.com/v1/scim/v2';
const record = (id: string, token: string, directory?: string): TokenRecord => ({ id, sha256: hashToken(token), ...(directory ? { directory } : {}) });
const entry = (id: string, extra: Partial<DirectoryEntry> = {}): DirectoryEntry => ({ id, name: id, profile: 'rfc', createdAt: '2026-11-01T00:00:00Z', ...extra });

function request(token: string | undefined, directory?: string): ScimRequest {
  return {
    method: 'GET',
    segments: ['Users'],
    query: {},
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: '',
    baseUrl: HOME,
    requestId: 'r',
    ...(directory !== undefined ? { directory } : {}),
  };
}

/** An app whose one route answers which directory, Base URL and profile served it. */
function app(directories: DirectoryEntry[]): App {
  const answer = (served: string) => [
    route('GET', 'Users', async (req) => ({ status: 200, body: { served, baseUrl: req.baseUrl, caller: req.caller?.directory } })),
  ];
  return {
    routes: answer('default'),
    directoryRoutes: routesByDirectory((e) => answer(`${e.id}/${e.profile}`)),
    verifier: new RecordsTokenVerifier(
      [record('t-home', 'home-token'), record('t-a', 'alpha-token', 'alpha'), record('t-b', 'beta-token', 'beta'), record('t-g', 'gone-token', 'gone')],
      directories,
    ),
    logger: silentLogger,
    baseUrl: HOME,
  };
}

describe('a request is served in the directory its path names, with a token of that directory', () => {
  const served = app([entry('alpha'), entry('beta', { profile: 'aws-iam-identity-center' }), entry('gone', { state: 'deleting' })]);

  test.each([
    ['the deployment’s own token at /scim/v2', 'home-token', undefined, 'default', HOME],
    ['a token of alpha at /alpha/scim/v2', 'alpha-token', 'alpha', 'alpha/rfc', 'https://scim.example.com/v1/alpha/scim/v2'],
    ['a token of beta at /beta/scim/v2, with beta’s profile', 'beta-token', 'beta', 'beta/aws-iam-identity-center', 'https://scim.example.com/v1/beta/scim/v2'],
  ])('serves %s', async (_, token, directory, expected, baseUrl) => {
    const response = await serve(served, request(token, directory));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ served: expected, baseUrl });
  });

  test.each([
    ['a token of alpha at /scim/v2', 'alpha-token', undefined],
    ['the deployment’s own token at /alpha/scim/v2', 'home-token', 'alpha'],
    ['a token of alpha at /beta/scim/v2', 'alpha-token', 'beta'],
    ['a token of a directory being deleted', 'gone-token', 'gone'],
    ['a token at a directory nobody registered', 'alpha-token', 'nobody'],
    ['a token at /default/scim/v2 (the deployment’s own is at /scim/v2 only)', 'home-token', 'default'],
    ['an unknown token at /alpha/scim/v2', 'guess', 'alpha'],
  ])('refuses %s exactly as an unknown token', async (_, token, directory) => {
    const unknown = await serve(served, request('not-a-token'));
    const response = await serve(served, request(token, directory));
    expect(response).toEqual(unknown);
    expect(response.status).toBe(401);
  });

  test('serves no other directory when the app has no directory routes', async () => {
    const { directoryRoutes: _, ...homeOnly } = served;
    expect((await serve(homeOnly, request('alpha-token', 'alpha'))).status).toBe(401);
  });

  test('the log line names a directory served at its own Base URL, never a path a refused request named; the metrics never see it', async () => {
    const lines: Record<string, unknown>[] = [];
    const summaries: Record<string, unknown>[] = [];
    const logged: App = {
      ...served,
      logger: { info: (_message, fields) => void lines.push(fields ?? {}), error: () => undefined },
      observer: { requestEnded: (summary) => void summaries.push({ ...summary }) },
    };
    await serve(logged, request('alpha-token', 'alpha'));
    await serve(logged, request('home-token'));
    await serve(logged, request('alpha-token', 'nobody'));
    expect(lines.map((l) => [l.directory, l.route, l.status])).toEqual([
      ['alpha', 'Users', 200],
      [undefined, 'Users', 200],
      [undefined, 'Users', 401],
    ]);
    expect(summaries.map((s) => Object.keys(s))).not.toContainEqual(expect.arrayContaining(['directory']));
    expect(summaries).toHaveLength(3);
  });

  test('builds a directory’s routes once, and again for another profile', () => {
    let built = 0;
    const routes = routesByDirectory(() => (built++, []));
    routes(entry('alpha'));
    routes(entry('alpha'));
    routes(entry('alpha', { profile: 'aws-iam-identity-center' }));
    expect(built).toBe(2);
  });
});

describe('directory ids, entries and Base URLs', () => {
  test.each([
    ['contractors', undefined],
    ['acme-2', undefined],
    ['a', undefined],
    ['Acme', /not a directory id/],
    ['-acme', /not a directory id/],
    ['acme-', /not a directory id/],
    ['ac#me', /not a directory id/],
    ['a'.repeat(41), /not a directory id/],
    ['default', /reserved/],
    ['scim', /reserved/],
    ['console', /reserved/],
    ['employees', /reserved/],
  ])('%s: %s', (id, problem) => {
    const found = directoryIdProblem(id, 'employees');
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  test('puts the directory before /scim/v2, whatever comes before it', () => {
    expect(directoryBaseUrl('https://scim.example.com/scim/v2', 'acme')).toBe('https://scim.example.com/acme/scim/v2');
    expect(directoryBaseUrl('http://127.0.0.1:8080/scim/v2', 'acme')).toBe('http://127.0.0.1:8080/acme/scim/v2');
    expect(() => directoryBaseUrl('https://scim.example.com/v1', 'acme')).toThrow(/ends with/);
  });

  test('reads the directories of a token list, dropping malformed entries (fail closed)', () => {
    const text = JSON.stringify({
      tokens: [record('t', 'x', 'acme')],
      directories: [entry('acme'), entry('BAD'), entry('default'), { ...entry('p'), profile: 'okta' }, { ...entry('s'), state: 'paused' }, entry('old', { state: 'deleting' })],
    });
    expect(parseTokenDocument(text).directories.map((d) => d.id)).toEqual(['acme', 'old']);
    expect(parseTokenDocument(text).tokens).toHaveLength(1);
    expect(parseTokenDocument('{"tokens":[]}')).toEqual({ tokens: [], directories: [] });
    expect(isDirectoryEntry({ ...entry('acme'), name: 3 })).toBe(false);
  });
});

describe('cursors bound to their directory', () => {
  test('a cursor reads back only in the directory that issued it', () => {
    const alpha = encodeCursor({ after: 'ada@example.com#0b5c3f7e' }, 'alpha');
    expect(decodeCursor(alpha, 'alpha')).toEqual({ after: 'ada@example.com#0b5c3f7e' });
    expect(() => decodeCursor(alpha, 'beta')).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidCursor' }));
    expect(() => decodeCursor(alpha)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidCursor' }));
    const home = encodeCursor({ offset: 3 });
    expect(decodeCursor(home)).toEqual({ offset: 3 });
    expect(() => decodeCursor(home, 'alpha')).toThrow(expect.objectContaining({ scimType: 'invalidCursor' }));
  });
});
