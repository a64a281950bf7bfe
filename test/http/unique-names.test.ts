import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { listingSk, resourcePk, uniquePk } from '../../lambda/store/keys';
import { expectConsistent } from '../support/consistency';
import { GROUP, PATCH_OP, startTestServer, userBody } from '../support/server';

/**
 * Unique names over HTTP (issue 13): userName and a group's displayName are one name when
 * their uniqueKey (lambda/scim/unique-name.ts) is the same, are kept as sent, and a name with
 * a control, a bidi override or nothing visible is 400 invalidValue.
 */
describe('unique names: Unicode-equivalent userNames and displayNames are one name', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await expectConsistent(server.table.client, server.table.tableName);
    await server.stop();
  });
  const scim = (...args: Parameters<typeof server.scim>) => server.scim(...args);
  const eq = (attribute: string, value: string) => `?filter=${encodeURIComponent(`${attribute} eq ${JSON.stringify(value)}`)}`;

  it.each([
    ['café (precomposed) and cafe + U+0301', 'caf\u00e9@example.com', 'cafe\u0301@example.com'],
    ['x + ZERO WIDTH SPACE + z and xz', 'x\u200bz@example.com', 'xz@example.com'],
    ['fullwidth ＡＢＣ and abc', '\uff21\uff22\uff23@example.com', 'abc@example.com'],
    ['Straße and STRASSE', 'Stra\u00dfe@example.com', 'STRASSE@example.com'],
  ])('users: %s are one userName (409 uniqueness), each kept as sent and found by the other', async (_, first, second) => {
    const created = await scim('POST', '/Users', userBody(first));
    expect(created.status).toBe(201);
    expect(created.json.userName).toBe(first);
    const again = await scim('POST', '/Users', userBody(second));
    expect({ status: again.status, scimType: again.json.scimType }).toEqual({ status: 409, scimType: 'uniqueness' });
    const found = await scim('GET', `/Users${eq('userName', second)}`);
    expect(found.json.Resources.map((u: { userName: string }) => u.userName)).toEqual([first]);
    expect((await scim('GET', `/Users/${created.json.id}`)).json.userName).toBe(first);
  });

  it('groups: displayNames compare the same way', async () => {
    const created = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Caf\u00e9 Staff' });
    expect(created.status).toBe(201);
    const again = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'CAFE\u0301 STAFF' });
    expect({ status: again.status, scimType: again.json.scimType }).toEqual({ status: 409, scimType: 'uniqueness' });
    expect((await scim('GET', `/Groups${eq('displayName', 'cafe\u0301 staff')}`)).json.totalResults).toBe(1);
  });

  it('a rename to another spelling of the same name keeps its guard (no 500), and the new spelling is kept', async () => {
    const created = await scim('POST', '/Users', userBody('Jose\u0301@example.com'));
    const renamed = await scim('PATCH', `/Users/${created.json.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'JOS\u00c9@EXAMPLE.COM' }] });
    expect(renamed.status).toBe(200);
    expect(renamed.json.userName).toBe('JOS\u00c9@EXAMPLE.COM');
    const put = await scim('PUT', `/Users/${created.json.id}`, userBody('jos\u00e9@example.com'));
    expect(put.status).toBe(200);
    expect((await scim('POST', '/Users', userBody('JOSE\u0301@example.com'))).status).toBe(409);
  });

  it.each([
    ['a lone NUL', '\u0000'],
    ['a lone zero-width space', '\u200b'],
    ['zero-width joiners only', '\u200d\u200d'],
    ['a C0 control inside', 'ada\u0007@example.com'],
    ['DEL inside', 'ada\u007f@example.com'],
    ['a C1 control inside', 'ada\u009b@example.com'],
    ['RIGHT-TO-LEFT OVERRIDE', 'admin\u202egnp.exe@example.com'],
    ['a bidi isolate', '\u2067ada@example.com'],
  ])('refuses %s with 400 invalidValue, in a user and a group, on create, PUT and PATCH', async (_, name) => {
    const expectRefused = (res: { status: number; json: { scimType?: string } }) => expect({ status: res.status, scimType: res.json.scimType }).toEqual({ status: 400, scimType: 'invalidValue' });
    expectRefused(await scim('POST', '/Users', userBody(name)));
    expectRefused(await scim('POST', '/Groups', { schemas: [GROUP], displayName: name }));
    const user = await scim('POST', '/Users', userBody(`target-${Math.random().toString(36).slice(2)}@example.com`));
    expectRefused(await scim('PUT', `/Users/${user.json.id}`, userBody(name)));
    expectRefused(await scim('PATCH', `/Users/${user.json.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: name }] }));
    expect((await scim('GET', `/Users/${user.json.id}`)).json.userName).toMatch(/^target-/);
  });

  it('a user stored with such a name before the rule can still be changed and deleted', async () => {
    const created = await scim('POST', '/Users', userBody('legacy-bell@example.com'));
    const id = created.json.id as string;
    const legacy = 'legacy\u0007bell@example.com';
    const { client, tableName } = server.table;
    await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: uniquePk('default', 'User', 'legacy-bell@example.com'), sk: 'UNIQUE' } }));
    await client.send(new PutCommand({ TableName: tableName, Item: { pk: uniquePk('default', 'User', legacy), sk: 'UNIQUE', id, value: legacy } }));
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: resourcePk('default', 'User', id), sk: 'USER' },
        UpdateExpression: 'SET uniqueValue = :v, #doc.userName = :v, gsi1sk = :sk',
        ExpressionAttributeNames: { '#doc': 'document' },
        ExpressionAttributeValues: { ':v': legacy, ':sk': listingSk(legacy, id) },
      }),
    );
    const deactivated = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(deactivated.status).toBe(200);
    expect(deactivated.json).toMatchObject({ userName: legacy, active: false });
    expect((await scim('PUT', `/Users/${id}`, userBody(legacy, { active: false }))).status).toBe(200);
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
  });
});
