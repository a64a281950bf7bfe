import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { dynamoStores } from '../../lambda/handlers/services';
import { authorize, usageKeyValue } from '../../lambda/http/edge-authorizer';
import { parseTokenDocument, SecretTokenVerifier } from '../../lambda/http/secret-tokens';
import { DynamoDirectoryData } from '../../lambda/store/directory-data';
import { runDirectoryCli } from '../../lib/directories/cli';
import { runTokenCli } from '../../lib/tokens/cli';
import { startAwsDoubles, type AwsDoubles, useAwsDoubles } from '../support/aws-doubles';
import { freshTable } from '../support/dynamo';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ScimEndpointTokenSecret-AbCdEf';
const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/scim/v2';
const SALT = 'c8a1b2c3d4e5f6a7';

/**
 * `npm run directory -- ... --stack` through the real AWS SDK clients and the standard
 * credential chain, with AWS_ENDPOINT_URL_* pointing them at local doubles of CloudFormation,
 * Secrets Manager and API Gateway, and at DynamoDB Local for the table. A directory gets its
 * usage-plan key and its registry entry; its token is accepted by the functions' verifier and
 * the edge authorizer (named to its own usage key); its deletion removes the key, the tokens,
 * every item and the entry.
 */
describe('npm run directory -- ... --stack', () => {
  jest.setTimeout(60_000);
  let aws: AwsDoubles;
  let table: Awaited<ReturnType<typeof freshTable>>;
  let restoreEnv: () => void;

  beforeAll(async () => {
    aws = await startAwsDoubles();
    table = await freshTable('directory-stack');
    aws.secrets.set(ARN, '{"tokens":[]}');
    aws.stacks.set('ScimEndpoint', {
      ScimBaseUrl: BASE,
      TokenSecretArn: ARN,
      TableName: table.tableName,
      DirectoryId: 'default',
      UsagePlanId: 'plan1',
      UsageKeySalt: SALT,
      DirectoryOperatorPolicyArn: 'arn:aws:iam::123456789012:policy/op',
    });
    restoreEnv = useAwsDoubles(aws, 'eu-west-1', table.endpoint);
  });
  afterAll(async () => {
    restoreEnv();
    table.client.destroy();
    await aws.close();
  });

  async function run(cli: typeof runDirectoryCli | typeof runTokenCli, ...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await (cli as typeof runDirectoryCli)([...argv, '--stack', 'ScimEndpoint'], { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  const document = () => parseTokenDocument(aws.secrets.get(ARN)!);
  const planKeyValues = () => [...(aws.planKeys.get('plan1') ?? [])].map((id) => aws.apiKeys.get(id)!.value);

  it('creates a directory: its key in the usage plan (the value the authorizer names), then its entry in the token list', async () => {
    const made = await run(runDirectoryCli, 'create', 'contractors', '--name', 'Contractors', '--profile', 'aws-iam-identity-center', '--json');
    expect(made.err).toBe('');
    expect(JSON.parse(made.out)).toMatchObject({
      id: 'contractors',
      profile: 'aws-iam-identity-center',
      baseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/contractors/scim/v2',
      firstToken: { name: 'contractors', scope: 'provision', directory: 'contractors' },
    });
    // The directory and its first token in one write of the secret.
    expect(document().tokens.map((t) => [t.name, t.directory])).toEqual([['contractors', 'contractors']]);
    expect(planKeyValues()).toEqual([usageKeyValue(SALT, 'contractors')]);
    const [entry] = document().directories;
    expect(entry).toMatchObject({ id: 'contractors', name: 'Contractors', profile: 'aws-iam-identity-center', usageKeyId: 'key1' });
    // Again: refused before any key is made.
    const again = await run(runDirectoryCli, 'create', 'contractors');
    expect(again.err).toMatch(/already exists/);
    expect(aws.apiKeys.size).toBe(1);
  });

  it('completes a create that was cut short after its key was made: the key is found and reused', async () => {
    aws.apiKeys.set('key-left', { name: 'scim-ScimEndpoint-interns', value: usageKeyValue(SALT, 'interns'), enabled: true });
    const made = await run(runDirectoryCli, 'create', 'interns', '--json');
    expect(made.code).toBe(0);
    expect(document().directories.find((d) => d.id === 'interns')?.usageKeyId).toBe('key-left');
    expect(aws.apiKeys.size).toBe(2);
    expect(planKeyValues().sort()).toEqual([usageKeyValue(SALT, 'contractors'), usageKeyValue(SALT, 'interns')].sort());
  });

  it("makes a token of the directory that the functions and the edge accept, on the directory's own usage key", async () => {
    const created = await run(runTokenCli, 'create', '--name', 'okta-contractors', '--directory', 'contractors');
    const token = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(created.out)![1];
    expect(document().tokens.map((t) => [t.name, t.directory]).sort()).toEqual([
      ['contractors', 'contractors'],
      ['interns', 'interns'],
      ['okta-contractors', 'contractors'],
    ]);
    const verifier = new SecretTokenVerifier(ARN, new SecretsManagerClient({ endpoint: aws.endpoint, region: 'eu-west-1' }));
    expect((await verifier.verify(token))?.directory).toBe('contractors');
    expect(await verifier.directory('contractors')).toMatchObject({ profile: 'aws-iam-identity-center' });
    const event = {
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/contractors/scim/v2/Users',
      headers: { Authorization: `Bearer ${token}` },
    } as unknown as APIGatewayRequestAuthorizerEvent;
    const answer = await authorize(event, verifier, SALT, 'default');
    expect(answer.usageIdentifierKey).toBe(usageKeyValue(SALT, 'contractors'));
    expect(answer.context).toEqual({ tokenId: expect.stringMatching(/^tok-/), name: 'okta-contractors', scope: 'provision', directory: 'contractors' });
  });

  it('lists the directories with the Base URL each one has', async () => {
    const listed = await run(runDirectoryCli, 'list', '--json');
    const rows = listed.out.split('\n').map((line) => JSON.parse(line));
    expect(rows.map((r) => [r.id, r.activeTokens, r.baseUrl])).toEqual([
      ['default', 0, BASE],
      ['contractors', 2, 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/contractors/scim/v2'],
      ['interns', 1, 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/interns/scim/v2'],
    ]);
  });

  it('deletes a directory: its key, its tokens, every item and its entry; the others keep theirs', async () => {
    const now = new Date().toISOString();
    for (const directory of ['contractors', 'interns']) {
      const { users, groups } = dynamoStores({ client: table.client, tableName: table.tableName, directoryId: directory });
      for (let i = 0; i < 30; i++) await users.create(`u${i}`, { document: { userName: `u${i}@example.com` }, uniqueValue: `u${i}@example.com` }, now);
      await groups.create('g', { document: { displayName: 'G' }, uniqueValue: 'G' }, ['u1', 'u2', 'u3'], now);
    }
    const data = new DynamoDirectoryData(table.client, table.tableName);
    const interns = await data.count('interns');
    const items = await data.count('contractors');
    const deleted = await run(runDirectoryCli, 'delete', 'contractors', '--yes', '--grace-seconds', '0', '--json');
    expect(deleted.err).toBe('');
    // Every item counted before, and the deletion's own record (its change event).
    expect(JSON.parse(deleted.out)).toMatchObject({ id: 'contractors', deletedItems: items + 1, revokedTokens: 2 });
    expect(planKeyValues()).toEqual([usageKeyValue(SALT, 'interns')]);
    expect(document()).toEqual({ tokens: [expect.objectContaining({ name: 'interns', directory: 'interns' })], directories: [expect.objectContaining({ id: 'interns' })] });
    expect(await data.count('contractors')).toBe(0);
    expect(await data.count('interns')).toBe(interns);
    expect(aws.calls).toContain('apigateway.DeleteApiKey');
  });
});
