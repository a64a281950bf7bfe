import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { groupsService, usersService } from '../../lambda/handlers/services';
import { createDocumentClient } from '../../lambda/store/client';
import { checkTable, repairKeys, repairOrphans, scanTable, type FindingKind } from '../../lambda/store/consistency';
import { claimPk, counterPk, counterSk, digest, directoryIndexKey, memberSk, resourcePk, uniquePk } from '../../lambda/store/keys';
import { INDEXES } from '../../lambda/store/table';
import { freshTable } from '../support/dynamo';
import { GROUP, userBody } from '../support/server';
import { TEST_REQUEST } from '../support/request-facts';

const run = promisify(execFile);
const TSX = 'node_modules/.bin/tsx';
/** The per-request facts of a request served in `dir`. */
const contextIn = (dir: string) => ({ baseUrl: 'https://example.com/scim/v2', request: { ...TEST_REQUEST, directory: dir } });

/** A small directory written through the services: 3 users, 2 groups with members. */
async function populated(table: Awaited<ReturnType<typeof freshTable>>, dir: string) {
  const ctx = contextIn(dir);
  const settings = { client: table.client, tableName: table.tableName, directoryId: dir };
  const users = usersService(settings);
  const groups = groupsService(settings);
  const ids: string[] = [];
  for (const name of ['ada@example.com', 'bob@example.com', 'cy@example.com']) {
    ids.push(String((await users.create(userBody(name, { externalId: `ext-${name}` }), ctx)).body!.id));
  }
  const g1 = String((await groups.create({ schemas: [GROUP], displayName: 'Admins', members: ids.map((value) => ({ value })) }, ctx)).body!.id);
  const g2 = String((await groups.create({ schemas: [GROUP], displayName: 'Staff', members: [{ value: ids[0] }] }, ctx)).body!.id);
  await users.patch(ids[1], { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'userName', value: 'bobby@example.com' }] }, ctx);
  return { table, dir, ids, g1, g2 };
}

describe('the consistency checker', () => {
  // One table; each case corrupts its own directory (keys start with it), so cases do not mix.
  let table: Awaited<ReturnType<typeof freshTable>>;
  let dirs = 0;
  const directory = () => populated(table, `dir${++dirs}`);
  const findingsIn = async (dir: string) =>
    (await checkTable(table.client, table.tableName)).findings.filter((f) => f.pk.startsWith(`${dir}#`));
  beforeAll(async () => {
    table = await freshTable('consistency');
  });
  afterAll(() => table.client.destroy());

  it('passes a directory written through the services, and counts what it scanned', async () => {
    await directory();
    const report = await checkTable(table.client, table.tableName);
    expect(report.findings).toEqual([]);
    expect(report.scanned).toMatchObject({ users: 3, groups: 2, guards: 5, members: 4 });
  });

  // Each corruption breaks one invariant; the checker must name it (and nothing unrelated).
  const corruptions: [string, FindingKind, (t: Awaited<ReturnType<typeof populated>>) => Promise<void>][] = [
    ['a user whose guard was deleted', 'guard-missing', async ({ table, dir }) => {
      await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: uniquePk(dir, 'User', 'ada@example.com'), sk: 'UNIQUE' } }));
    }],
    ['a guard left behind by a rename', 'guard-orphan', async ({ table, dir, ids }) => {
      await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: uniquePk(dir, 'User', 'bob@example.com'), sk: 'UNIQUE', id: ids[1], value: 'bob@example.com' } }));
    }],
    ['a guard of a user that does not exist', 'guard-orphan', async ({ table, dir }) => {
      await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: uniquePk(dir, 'User', 'ghost@example.com'), sk: 'UNIQUE', id: 'ghost', value: 'ghost@example.com' } }));
    }],
    ['a counter shard off by one', 'counter-mismatch', async ({ table, dir }) => {
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: counterPk(dir, 'Group'), sk: counterSk(3) }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }));
    }],
    ['a member of a deleted group', 'member-of-deleted-group', async ({ table, dir, ids }) => {
      await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: resourcePk(dir, 'Group', 'gone'), sk: memberSk(ids[0]) } }));
    }],
    ['a member whose user was deleted behind the group', 'member-without-user', async ({ table, dir, g2 }) => {
      await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: resourcePk(dir, 'Group', g2), sk: memberSk('nobody') } }));
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: resourcePk(dir, 'Group', g2), sk: 'GROUP' }, UpdateExpression: 'ADD memberCount :one', ExpressionAttributeValues: { ':one': 1 } }));
    }],
    ['a memberCount that drifted', 'member-count-mismatch', async ({ table, dir, g1 }) => {
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: resourcePk(dir, 'Group', g1), sk: 'GROUP' }, UpdateExpression: 'ADD memberCount :minus', ExpressionAttributeValues: { ':minus': -1 } }));
    }],
    ['a listing key that kept the old userName', 'index-mismatch', async ({ table, dir, ids }) => {
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: resourcePk(dir, 'User', ids[2]), sk: 'USER' }, UpdateExpression: 'SET gsi1sk = :old', ExpressionAttributeValues: { ':old': `old#${ids[2]}` } }));
    }],
    ['an externalId index entry left after the externalId was removed', 'index-mismatch', async ({ table, dir, ids }) => {
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: resourcePk(dir, 'User', ids[0]), sk: 'USER' }, UpdateExpression: 'REMOVE document.externalId' }));
    }],
    ['a member item whose user\'s memberOf lost the group', 'member-not-in-memberOf', async ({ table, dir, ids, g2 }) => {
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: resourcePk(dir, 'User', ids[0]), sk: 'USER' }, UpdateExpression: 'DELETE memberOf :g', ExpressionAttributeValues: { ':g': new Set([g2]) } }));
    }],
    ['a memberOf naming a group that does not list the user', 'memberOf-without-member', async ({ table, dir, ids, g2 }) => {
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: resourcePk(dir, 'User', ids[2]), sk: 'USER' }, UpdateExpression: 'ADD memberOf :g', ExpressionAttributeValues: { ':g': new Set([g2]) } }));
    }],
    ['a directory index attribute naming another directory', 'index-mismatch', async ({ table, dir, g1 }) => {
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: resourcePk(dir, 'Group', g1), sk: 'GROUP' }, UpdateExpression: 'SET gsi3pk = :other', ExpressionAttributeValues: { ':other': 'elsewhere#00' } }));
    }],
    ['a version of 0', 'resource-malformed', async ({ table, dir, ids }) => {
      await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: resourcePk(dir, 'User', ids[0]), sk: 'USER' }, UpdateExpression: 'SET version = :zero', ExpressionAttributeValues: { ':zero': 0 } }));
    }],
    ['an item outside the key layout', 'unknown-item', async ({ table, dir }) => {
      await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: `${dir}#SOMETHING`, sk: 'ELSE' } }));
    }],
  ];

  it.each(corruptions)('finds %s (%s)', async (_name, kind, corrupt) => {
    const dir = await directory();
    await corrupt(dir);
    const findings = await findingsIn(dir.dir);
    expect(findings.map((f) => f.kind)).toContain(kind);
    // Only the corrupted invariant (a stale guard also leaves its user with two guards).
    expect(new Set(findings.map((f) => f.kind))).toEqual(new Set(kind === 'guard-orphan' && findings.length > 1 ? [kind, 'guard-missing'] : [kind]));
  });

  it('repairs orphaned members (the group count follows) and memberOf, and drops ids of deleted groups', async () => {
    const dir = await directory();
    for (const kind of ['member-of-deleted-group', 'member-without-user', 'member-not-in-memberOf', 'memberOf-without-member']) {
      await corruptions.find(([, k]) => k === kind)![2](dir);
    }
    // The id of a deleted group left in a user's memberOf is allowed: counted, not a finding.
    await table.client.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: resourcePk(dir.dir, 'User', dir.ids[1]), sk: 'USER' }, UpdateExpression: 'ADD memberOf :g', ExpressionAttributeValues: { ':g': new Set(['deleted-group']) } }));
    const report = await checkTable(table.client, table.tableName);
    const before = report.findings.filter((f) => f.pk.startsWith(`${dir.dir}#`));
    expect(before.map((f) => f.kind).sort()).toEqual(['member-not-in-memberOf', 'member-of-deleted-group', 'member-without-user', 'memberOf-without-member']);
    const stale = (report.stale ?? []).filter((f) => f.pk.startsWith(`${dir.dir}#`));
    expect(stale).toEqual([{ pk: resourcePk(dir.dir, 'User', dir.ids[1]), action: 'DELETE', groupId: 'deleted-group' }]);
    expect(await repairOrphans(table.client, table.tableName, { findings: before, scanned: {} as never, stale })).toBe(5);
    const after = await checkTable(table.client, table.tableName);
    expect(after.findings.filter((f) => f.pk.startsWith(`${dir.dir}#`))).toEqual([]);
    expect((after.stale ?? []).filter((f) => f.pk.startsWith(`${dir.dir}#`))).toEqual([]);
  });

  it('checks one directory with --directory: its findings and figures only', async () => {
    const other = await freshTable('consistency-directories');
    const a = await populated(other, 'alpha');
    const b = await populated(other, 'beta');
    // The same names in both: uniqueness, counters and memberships are per directory.
    await corruptions.find(([, k]) => k === 'counter-mismatch')![2](b);
    const onlyA = await checkTable(other.client, other.tableName, 'alpha');
    expect(onlyA.findings).toEqual([]);
    expect(onlyA.scanned).toMatchObject({ users: 3, groups: 2, guards: 5, members: 4 });
    expect((await checkTable(other.client, other.tableName, 'beta')).findings.map((f) => f.kind)).toEqual(['counter-mismatch']);
    expect((await checkTable(other.client, other.tableName)).findings.map((f) => f.pk)).toEqual([counterPk('beta', 'Group')]);
    const args = ['bin/check-consistency.ts', '--endpoint', other.endpoint, '--table', other.tableName, '--directory'];
    expect((await run(TSX, [...args, 'alpha'])).stdout).toMatch(/scanned \d+ items: 3 users, 2 groups, 5 guards, 4 members/);
    const failed = await run(TSX, [...args, 'beta']).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain('counter-mismatch: 1');
    expect(a.ids).toHaveLength(3);
    other.client.destroy();
  });

  /**
   * Makes a resource look as it was written before unique names were compared by uniqueKey
   * (lambda/scim/unique-name.ts): its name set to `value`, its guard at the hash of the value
   * lower-cased, its listing key the value lower-cased.
   */
  async function asWrittenBefore(dir: string, kind: 'User' | 'Group', id: string, value: string) {
    const tag = kind === 'User' ? 'USER' : 'GROUP';
    const attribute = kind === 'User' ? 'userName' : 'displayName';
    const key = { pk: resourcePk(dir, kind, id), sk: tag };
    const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }));
    await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: uniquePk(dir, kind, String(Item!.uniqueValue)), sk: 'UNIQUE' } }));
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: { pk: `${dir}#UNIQUE#${tag}#${digest(value.toLowerCase())}`, sk: 'UNIQUE', id, value } }));
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression: 'SET uniqueValue = :v, #doc.#attr = :v, gsi1sk = :sk',
        ExpressionAttributeNames: { '#doc': 'document', '#attr': attribute },
        ExpressionAttributeValues: { ':v': value, ':sk': `${value.toLowerCase().slice(0, 200)}#${id}` },
      }),
    );
  }

  it('moves guards and listing keys written before uniqueKey (upgrade), and ASCII names need nothing', async () => {
    const dir = await directory();
    const settings = { client: table.client, tableName: table.tableName, directoryId: dir.dir };
    const users = usersService(settings);
    const ctx = contextIn(dir.dir);
    // Two users and a group whose names have another key now; ada (ASCII) keeps hers.
    await asWrittenBefore(dir.dir, 'User', dir.ids[2], 'Straße@example.com');
    await asWrittenBefore(dir.dir, 'User', dir.ids[1], 'ＢＯＢ@example.com');
    await asWrittenBefore(dir.dir, 'Group', dir.g2, 'Staff\u200b');
    const before = await findingsIn(dir.dir);
    expect(before.map((f) => f.kind).sort()).toEqual(['guard-outdated', 'guard-outdated', 'guard-outdated', 'index-mismatch', 'index-mismatch', 'index-mismatch']);
    // Until the repair, such a user cannot be found by its name, nor deleted.
    const byName = await users.list({ ...ctx, query: { filter: 'userName eq "strasse@example.com"' } });
    expect(byName.body!.totalResults).toBe(0);
    // (409 today, "being changed by other requests": its guard is not where the delete looks)
    await expect(users.delete(dir.ids[2], ctx)).rejects.toMatchObject({ name: 'ScimError' });
    expect((await users.get(dir.ids[2], ctx)).body!.userName).toBe('Straße@example.com');

    const report = await checkTable(table.client, table.tableName);
    const mine = { ...report, findings: report.findings.filter((f) => f.pk.startsWith(`${dir.dir}#`)) };
    expect(await repairKeys(table.client, table.tableName, mine)).toBe(6);
    expect(await findingsIn(dir.dir)).toEqual([]);
    // A moved guard is found by the directory index like every other item (a directory's deletion reads it).
    const moved = uniquePk(dir.dir, 'User', 'Straße@example.com');
    const { Item: guard } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: { pk: moved, sk: 'UNIQUE' }, ConsistentRead: true }));
    expect(guard).toMatchObject({ id: dir.ids[2], [INDEXES.byDirectory.partitionKey]: directoryIndexKey(moved) });
    const found = await users.list({ ...ctx, query: { filter: 'userName eq "STRASSE@example.com"' } });
    expect((found.body!.Resources as { userName: string }[]).map((u) => u.userName)).toEqual(['Straße@example.com']);
    expect((await users.create(userBody('strasse@EXAMPLE.com'), ctx).catch((e: { status: number; scimType: string }) => e))).toMatchObject({ status: 409, scimType: 'uniqueness' });
    await users.delete(dir.ids[2], ctx);
    expect(await findingsIn(dir.dir)).toEqual([]);
  });

  it('reports two names that are one now (guard-collision), and repairs once a person renamed one', async () => {
    const dir = await directory();
    const users = usersService({ client: table.client, tableName: table.tableName, directoryId: dir.dir });
    const ctx = contextIn(dir.dir);
    // ids[0] is ada@example.com (ASCII, key unchanged); ids[2] becomes ADA@example.com in fullwidth.
    await asWrittenBefore(dir.dir, 'User', dir.ids[2], 'ａｄａ@example.com');
    const findings = await findingsIn(dir.dir);
    expect(findings.map((f) => f.kind).sort()).toEqual(['guard-collision', 'index-mismatch']);
    expect(findings.find((f) => f.kind === 'guard-collision')!.detail).toContain(`User "${dir.ids[0]}"`);
    const report = await checkTable(table.client, table.tableName);
    await repairKeys(table.client, table.tableName, { ...report, findings: report.findings.filter((f) => f.pk.startsWith(`${dir.dir}#`)) });
    expect((await findingsIn(dir.dir)).map((f) => f.kind)).toEqual(['guard-collision']);
    // The holder of the shared key can be renamed (or deleted); then the other's guard moves.
    await users.patch(dir.ids[0], { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'userName', value: 'ada.lovelace@example.com' }] }, ctx);
    const again = await checkTable(table.client, table.tableName);
    expect(await repairKeys(table.client, table.tableName, { ...again, findings: again.findings.filter((f) => f.pk.startsWith(`${dir.dir}#`)) })).toBe(1);
    expect(await findingsIn(dir.dir)).toEqual([]);
  });

  it('knows the IIC profile\'s e-mail and externalId guards: none found on a clean directory, a missing one written, an orphan removed', async () => {
    const dir = `dir${++dirs}`;
    const settings = { client: table.client, tableName: table.tableName, directoryId: dir, profile: 'aws-iam-identity-center' as const };
    const users = usersService(settings);
    const groups = groupsService(settings);
    const ctx = contextIn(dir);
    const a = String((await users.create(userBody('iic-a@example.com', { externalId: 'ext-a' }), ctx)).body!.id);
    const b = String((await users.create(userBody('iic-b@example.com'), ctx)).body!.id);
    await groups.create({ schemas: [GROUP], displayName: 'IIC Group', externalId: 'ext-g' }, ctx);
    // A changed e-mail moves its guard; a deleted user takes its guards with it.
    const patch = (value: string) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'emails', value: [{ value, primary: true }] }] });
    await users.patch(a, patch('iic-a.moved@example.com'), ctx);
    const c = String((await users.create(userBody('iic-c@example.com', { externalId: 'ext-c' }), ctx)).body!.id);
    await users.delete(c, ctx);
    const clean = await checkTable(table.client, table.tableName);
    expect(clean.findings.filter((f) => f.pk.startsWith(`${dir}#`))).toEqual([]);
    // a and b: userName and e-mail (a's moved), a's externalId; the group: displayName and externalId. c left none.
    const guards = (await scanTable(table.client, table.tableName)).filter((i) => String(i.pk).startsWith(`${dir}#`) && i.sk === 'UNIQUE');
    expect(guards).toHaveLength(7);

    // b's e-mail guard goes missing; an orphan e-mail guard names b; one names a user that is gone.
    const emailKey = (value: string) => ({ pk: claimPk(dir, 'User', { attribute: 'email', value }), sk: 'UNIQUE' });
    await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: emailKey('iic-b@example.com') }));
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...emailKey('stale@example.com'), id: b, value: 'stale@example.com', attribute: 'email' } }));
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...emailKey('gone@example.com'), id: c, value: 'gone@example.com', attribute: 'email' } }));
    const findings = await findingsIn(dir);
    expect(findings.map((f) => [f.kind, f.claim?.action]).sort()).toEqual([
      ['guard-missing', 'put'],
      ['guard-orphan', 'delete'],
      ['guard-orphan', 'delete'],
    ]);
    const report = await checkTable(table.client, table.tableName);
    expect(await repairKeys(table.client, table.tableName, { ...report, findings: report.findings.filter((f) => f.pk.startsWith(`${dir}#`)) })).toBe(3);
    expect(await findingsIn(dir)).toEqual([]);
    // The guard put back carries the directory index key, like every guard a request writes.
    const restored = emailKey('iic-b@example.com');
    const { Item: put } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: restored, ConsistentRead: true }));
    expect(put).toMatchObject({ id: b, [INDEXES.byDirectory.partitionKey]: directoryIndexKey(restored.pk) });
    await expect(users.create(userBody('iic-d@example.com', { emails: [{ value: 'IIC-B@example.com' }] }), ctx)).rejects.toMatchObject({ status: 409 });
    expect((await users.create(userBody('iic-d@example.com', { emails: [{ value: 'stale@example.com' }] }), ctx)).body!.id).toEqual(expect.any(String));
  });

  it('is a command: exit 1 naming the finding, --repair fixes orphans and exits 0', async () => {
    const other = await freshTable('consistency-cli');
    const dir = await populated(other, 'default');
    await corruptions.find(([, k]) => k === 'member-of-deleted-group')![2](dir);
    other.client.destroy();
    const args = ['bin/check-consistency.ts', '--endpoint', other.endpoint, '--table', other.tableName];
    const failed = await run(TSX, args).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain('member-of-deleted-group: 1');
    const repaired = await run(TSX, [...args, '--repair']);
    expect(repaired.stdout).toContain('repaired 1 item(s)');
    expect(repaired.stdout).toContain('consistent: no findings');
    // Only the id of a deleted group left in a user's memberOf: no finding, exit 0, and --repair still removes it.
    const writer = createDocumentClient({ endpoint: other.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await writer.send(new UpdateCommand({ TableName: other.tableName, Key: { pk: resourcePk('default', 'User', dir.ids[0]), sk: 'USER' }, UpdateExpression: 'ADD memberOf :g', ExpressionAttributeValues: { ':g': new Set(['deleted-group']) } }));
    writer.destroy();
    expect((await run(TSX, args)).stdout).toContain('consistent: no findings');
    const swept = await run(TSX, [...args, '--repair', '--json']);
    expect(JSON.parse(swept.stdout.trim().split('\n').pop()!).scanned.staleGroupIds).toBe(0);
  });
});
