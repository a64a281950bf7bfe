import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseTokenSecret, SecretTokenVerifier, TOKEN_CACHE_TTL_MS } from '../../lambda/http/secret-tokens';
import { runTokenCli } from '../../lib/tokens/cli';
import { startAwsDoubles, type AwsDoubles, useAwsDoubles } from '../support/aws-doubles';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ScimEndpointTokenSecret-AbCdEf';

/**
 * The token CLI against a deployed stack, through the real AWS SDK clients and the standard
 * credential chain (here: environment variables), with AWS_ENDPOINT_URL_* pointing them at
 * local doubles of Secrets Manager and CloudFormation. The functions' verifier then reads the
 * same secret, so the test shows a created token accepted and a revoked one refused in time.
 */
describe('token CLI against the stack secret', () => {
  let aws: AwsDoubles;
  let restoreEnv: () => void;

  beforeAll(async () => {
    aws = await startAwsDoubles();
    aws.secrets.set(ARN, '{"tokens":[]}'); // as the stack creates it
    aws.stacks.set('ScimEndpoint', { ScimBaseUrl: 'https://x/scim/v2', TokenSecretArn: ARN, TableName: 't' });
    restoreEnv = useAwsDoubles(aws, 'eu-west-1');
  });
  afterAll(async () => {
    restoreEnv();
    await aws.close();
  });

  async function cli(...argv: string[]) {
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await runTokenCli(argv, { out: (t) => lines.push(t), err: (t) => errors.push(t) });
    const out = lines.join('\n');
    return { code, out, err: errors.join('\n'), token: /^ {2}([A-Za-z0-9_-]{43})$/m.exec(out)?.[1], id: /New token (tok-[0-9a-f]+)/.exec(out)?.[1] };
  }
  const verifierAt = (clock: { now: number }) => {
    const verifier = new SecretTokenVerifier(ARN, new SecretsManagerClient({ endpoint: aws.endpoint, region: 'eu-west-1' }), () => clock.now);
    // These cases ask whether a token is accepted.
    return { verify: (token: string) => verifier.verify(token).then((found) => found !== undefined) };
  };

  it('create --stack finds the secret through the stack output and stores only the hash', async () => {
    const created = await cli('create', '--name', 'okta-prod', '--stack', 'ScimEndpoint');
    expect(created.code).toBe(0);
    expect(aws.calls).toEqual(['cloudformation.DescribeStacks', 'secretsmanager.GetSecretValue', 'secretsmanager.PutSecretValue']);
    const stored = aws.secrets.get(ARN)!;
    expect(stored).not.toContain(created.token!);
    expect(parseTokenSecret(stored)).toHaveLength(1);
    expect(created.out).toContain(`in secret ${ARN}`);
    expect(await verifierAt({ now: Date.now() }).verify(created.token!)).toBe(true);
  });

  it('revoke --secret: a running function refuses the token within the cache TTL (60 s), a new one at once', async () => {
    const created = await cli('create', '--name', 'okta-prod', '--secret', ARN);
    const clock = { now: Date.now() };
    const running = verifierAt(clock);
    expect(await running.verify(created.token!)).toBe(true);

    expect((await cli('revoke', created.id!, '--secret', 'ScimEndpointTokenSecret')).code).toBe(0);
    expect(await verifierAt({ now: Date.now() }).verify(created.token!)).toBe(false);
    clock.now += TOKEN_CACHE_TTL_MS + 1;
    expect(await running.verify(created.token!)).toBe(false);
  });

  it('list shows the ids; a third active token is refused; rotate works on the secret', async () => {
    const listed = await cli('list', '--secret', ARN);
    const records = parseTokenSecret(aws.secrets.get(ARN)!);
    expect(records).toHaveLength(1);
    expect(listed.out).toContain(records[0].id);
    expect((await cli('create', '--name', 'okta-prod', '--secret', ARN)).code).toBe(0);
    const third = await cli('create', '--name', 'okta-prod', '--secret', ARN);
    expect(third.code).toBe(1);
    expect(third.err).toMatch(/revoke one first/);
    expect((await cli('rotate', '--secret', ARN)).err).toMatch(/revoke the old one first/);
  });

  it('two operators at once: both changes are kept (the second write of a version\'s successor is refused and re-applied)', async () => {
    aws.secrets.set(ARN, '{"tokens":[]}');
    aws.calls.splice(0);
    const [a, b] = await Promise.all([cli('create', '--name', 'okta-prod', '--secret', ARN), cli('create', '--name', 'okta-prod', '--secret', ARN)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const stored = parseTokenSecret(aws.secrets.get(ARN)!).map((r) => r.id).sort();
    expect(stored).toEqual([a.id, b.id].sort());
    // Both read the same version; one PutSecretValue was refused, then read and written again.
    expect(aws.calls.filter((c) => c === 'secretsmanager.PutSecretValue')).toHaveLength(3);
    expect(await verifierAt({ now: Date.now() }).verify(a.token!)).toBe(true);
    expect(await verifierAt({ now: Date.now() }).verify(b.token!)).toBe(true);
    // A revoke racing a create: the revoked token is gone and the created one kept.
    const [revoked, created] = await Promise.all([cli('revoke', a.id!, '--secret', ARN), cli('rotate', '--secret', ARN, '--grace-hours', '0')]);
    expect(revoked.code).toBe(0);
    expect(created.code === 0 || /revoke the old one first/.test(created.err)).toBe(true);
    expect(parseTokenSecret(aws.secrets.get(ARN)!).map((r) => r.id)).not.toContain(a.id);
  });

  it.each([['1.5'], ['0'], ['3651'], ['1e3'], ['30 days']])('refuses --expires-in-days %s and changes nothing', async (days) => {
    const before = aws.secrets.get(ARN);
    const refused = await cli('create', '--name', 'okta-prod', '--secret', ARN, '--expires-in-days', days);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/--expires-in-days must be a whole number from 1 to 3650/);
    expect(aws.secrets.get(ARN)).toBe(before);
  });

  it('AWS errors are one line naming the error, with no stack trace', async () => {
    const missing = await cli('list', '--secret', 'no-such-secret');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^token: ResourceNotFoundException/);
    const noStack = await cli('list', '--stack', 'NoSuchStack');
    expect(noStack.code).toBe(1);
    expect(noStack.err).toMatch(/ValidationError|does not exist/);
    expect(`${missing.err}${noStack.err}`).not.toMatch(/\n\s+at /);
  });

  it('refuses to overwrite a secret that is not in the token format', async () => {
    aws.secrets.set(ARN, 'hunter2');
    const result = await cli('create', '--name', 'okta-prod', '--secret', ARN);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/not JSON; refusing/);
    expect(result.err).not.toContain('hunter2');
    expect(aws.secrets.get(ARN)).toBe('hunter2');
  });
});
