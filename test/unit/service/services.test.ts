import { ScimError } from '../../../lambda/scim/errors';
import { GroupService } from '../../../lambda/service/group-service';
import { UserService } from '../../../lambda/service/user-service';
import { MemoryDirectory } from '../../../lambda/store/memory-store';
import { MAX_GROUPS_PER_USER } from '../../../lambda/store/memberships';
import { StoreConflict, type GroupStore, type UserStore } from '../../../lambda/store/types';
import { TEST_REQUEST } from '../../support/request-facts';

/**
 * The services over the in-memory store (whose equivalence to the DynamoDB store the store
 * contract shows): the RFC 7644 rules of users and groups, with no Java and no HTTP. What
 * each request asks of the store is counted by a recording proxy.
 */
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ctx = { baseUrl: 'https://scim.example.com/scim/v2', request: TEST_REQUEST };
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

/** A store whose calls are recorded by name, in order. */
function recording<T extends object>(store: T, calls: string[]): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return value.apply(target, args);
      };
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<ScimError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('services over the in-memory store', () => {
  let dir: MemoryDirectory;
  let calls: string[];
  let users: UserService;
  let groups: GroupService;
  let ids = 0;

  beforeEach(() => {
    dir = new MemoryDirectory();
    calls = [];
    const options = { newId: () => `id-${++ids}`, now: () => '2026-12-01T00:00:00.000Z', writeDeadlineMs: 2000 };
    const userStore = recording<UserStore>(dir.users, calls);
    const groupStore = recording<GroupStore>(dir.groups, calls);
    users = new UserService(userStore, groupStore, options);
    groups = new GroupService(groupStore, userStore, options);
  });

  const newUser = async (userName: string) => (await users.create({ schemas: [USER], userName }, ctx)).body!.id as string;
  const newGroup = async (displayName: string, members: string[] = []) =>
    (await groups.create({ schemas: [GROUP], displayName, members: members.map((value) => ({ value })) }, ctx)).body!.id as string;
  const membersOf = async (gid: string) => ((await groups.get(gid, ctx)).body!.members as { value: string }[] | undefined)?.map((m) => m.value).sort() ?? [];

  describe('a group PATCH', () => {
    it('reads the group and the users it names in one store call, then writes once', async () => {
      const [a, b] = [await newUser('a@example.com'), await newUser('b@example.com')];
      const gid = await newGroup('G');
      calls.length = 0;
      const result = await groups.patch(gid, patch({ op: 'add', path: 'members', value: [{ value: a }, { value: b }] }), ctx);
      expect(result).toEqual({});
      expect(calls).toEqual(['readForChange', 'update']);
      expect(await membersOf(gid)).toEqual([a, b].sort());
    });

    it('writes nothing for a change that changes nothing: adding a member, removing a non-member', async () => {
      const a = await newUser('a@example.com');
      const gid = await newGroup('G', [a]);
      const before = (await groups.get(gid, ctx)).etag;
      calls.length = 0;
      const result = await groups.patch(gid, patch({ op: 'add', path: 'members', value: [{ value: a }] }, { op: 'remove', path: 'members[value eq "nobody"]' }), ctx);
      expect(calls).toEqual(['readForChange']);
      expect(result.etag).toBe(before);
    });

    it('refuses a member that is not a user, naming it, and changes nothing', async () => {
      const a = await newUser('a@example.com');
      const gid = await newGroup('G');
      const error = await rejection(groups.patch(gid, patch({ op: 'add', path: 'members', value: [{ value: a }, { value: 'ghost' }] }), ctx));
      expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: 'invalidValue' });
      expect(error.detail).toContain('"ghost"');
      expect(await membersOf(gid)).toEqual([]);
    });

    it('refuses more than 10,000 member changes before anything is read', async () => {
      const gid = await newGroup('G');
      calls.length = 0;
      const value = Array.from({ length: 10_001 }, (_, i) => ({ value: `u${i}` }));
      const error = await rejection(groups.patch(gid, patch({ op: 'add', path: 'members', value }), ctx));
      expect(error.scimType).toBe('tooMany');
      expect(calls).toEqual([]);
    });

    it('renames and changes members in one pinned write, answering the exact ETag', async () => {
      const a = await newUser('a@example.com');
      const gid = await newGroup('Old', [a]);
      const result = await groups.patch(gid, patch({ op: 'replace', value: { id: gid, displayName: 'New' } }, { op: 'remove', path: `members[value eq "${a}"]` }), ctx);
      const read = await groups.get(gid, ctx);
      expect(result.etag).toBe(read.etag);
      expect(read.body).toMatchObject({ displayName: 'New' });
      expect(read.body!.members).toBeUndefined();
    });

    it('answers 409 uniqueness for a rename onto a taken name, and 412 for a stale If-Match', async () => {
      await newGroup('Taken');
      const gid = await newGroup('Mine');
      const taken = await rejection(groups.patch(gid, patch({ op: 'replace', path: 'displayName', value: 'TAKEN' }), ctx));
      expect({ status: taken.status, scimType: taken.scimType }).toEqual({ status: 409, scimType: 'uniqueness' });
      const stale = await rejection(groups.patch(gid, patch({ op: 'replace', path: 'displayName', value: 'Other' }), { ...ctx, ifMatch: 'W/"7"' }));
      expect({ status: stale.status, scimType: stale.scimType }).toEqual({ status: 412, scimType: 'invalidVers' });
    });

    it('replaces the whole list, reading the current members once', async () => {
      const [a, b, c] = [await newUser('a@example.com'), await newUser('b@example.com'), await newUser('c@example.com')];
      const gid = await newGroup('G', [a, b]);
      calls.length = 0;
      await groups.patch(gid, patch({ op: 'replace', path: 'members', value: [{ value: b }, { value: c }] }), ctx);
      expect(calls).toEqual(['get', 'members', 'readForChange', 'update']);
      expect(await membersOf(gid)).toEqual([b, c].sort());
    });

    it(`refuses a user already in ${MAX_GROUPS_PER_USER} groups with tooMany`, async () => {
      const a = await newUser('a@example.com');
      // As if the user had joined that many groups: ids in its memberOf.
      const row = (dir.rows.User.get(a)!.memberOf = new Set(Array.from({ length: MAX_GROUPS_PER_USER }, (_, i) => `g${i}`)));
      expect(row.size).toBe(MAX_GROUPS_PER_USER);
      const gid = await newGroup('G');
      const error = await rejection(groups.patch(gid, patch({ op: 'add', path: 'members', value: [{ value: a }] }), ctx));
      expect(error.scimType).toBe('tooMany');
    });

    it('answers a body, read again, when attributes are asked for', async () => {
      const a = await newUser('a@example.com');
      const gid = await newGroup('G');
      const result = await groups.patch(gid, patch({ op: 'add', path: 'members', value: [{ value: a }] }), { ...ctx, query: { attributes: 'members' } });
      expect(result.body!.members).toEqual([{ value: a, $ref: `${ctx.baseUrl}/Users/${a}`, type: 'User' }]);
    });
  });

  describe('writes racing on one resource', () => {
    it('applies 30 concurrent PATCHes of one user without If-Match: every change is there', async () => {
      const uid = await newUser('racer@example.com');
      const answers = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => users.patch(uid, patch({ op: 'add', path: 'emails', value: [{ value: `e${i}@example.com`, type: 'other' }] }), ctx)),
      );
      expect(answers.filter((a) => a.status === 'rejected')).toEqual([]);
      const emails = (await users.get(uid, ctx)).body!.emails as { value: string }[];
      expect(emails.map((e) => e.value).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `e${i}@example.com`).sort());
    });

    it('lets exactly one of 10 PATCHes with the same If-Match win; the others get 412', async () => {
      const uid = await newUser('match@example.com');
      const etag = (await users.get(uid, ctx)).etag!;
      const answers = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => users.patch(uid, patch({ op: 'replace', path: 'title', value: `T${i}` }), { ...ctx, ifMatch: etag })),
      );
      expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      for (const a of answers.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect((a.reason as ScimError).status).toBe(412);
    });

    it('answers 503 with Retry-After, never 409, when other writers keep winning past the deadline', async () => {
      const uid = await newUser('busy@example.com');
      const busy = recording<UserStore>(dir.users, []);
      busy.replace = async () => {
        throw new StoreConflict('version', 'The resource changed.');
      };
      const service = new UserService(busy, dir.groups, { writeDeadlineMs: 50 });
      const error = await rejection(service.patch(uid, patch({ op: 'replace', path: 'title', value: 'x' }), ctx));
      expect(error.status).toBe(503);
      expect(error.headers?.['Retry-After']).toMatch(/^\d+$/);
    });
  });

  describe("a user's groups", () => {
    it('are shown with their names, a deleted group left out', async () => {
      const uid = await newUser('member@example.com');
      const [g1, g2] = [await newGroup('One', [uid]), await newGroup('Two', [uid])];
      await groups.delete(g2, ctx);
      const body = (await users.get(uid, ctx)).body!;
      expect(body.groups).toEqual([{ value: g1, $ref: `${ctx.baseUrl}/Groups/${g1}`, display: 'One', type: 'direct' }]);
      const found = (await groups.list({ ...ctx, query: { filter: `members[value eq "${uid}"]` } })).body!;
      expect(found.totalResults).toBe(1);
    });

    it('are not read for a PUT that does not show them', async () => {
      const uid = await newUser('quiet@example.com');
      await newGroup('One', [uid]);
      calls.length = 0;
      await users.replace(uid, { schemas: [USER], userName: 'quiet@example.com', title: 'T' }, { ...ctx, query: { excludedAttributes: 'groups' } });
      expect(calls).toEqual(['get', 'replace']);
    });
  });
});
