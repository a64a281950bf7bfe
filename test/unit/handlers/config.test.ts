import { readConfig } from '../../../lambda/handlers/config';

const HASH = 'Aik4NSbcQhcbGsaJ7iiHdCySSCkvzhJP8JYKbj7uQzU';
const base = { TABLE_NAME: 't', TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s', SCIM_BASE_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/scim/v2' };

describe('readConfig', () => {
  test('as deployed: the secret, and an empty DYNAMODB_ENDPOINT means AWS', () => {
    expect(readConfig({ ...base, DYNAMODB_ENDPOINT: '' })).toEqual({
      tableName: 't',
      tokenSecretArn: base.TOKEN_SECRET_ARN,
      baseUrl: base.SCIM_BASE_URL,
      directoryId: 'default',
      dynamoEndpoint: undefined,
      localTokenSha256: undefined,
      profile: 'rfc',
    });
  });

  test('AUDIT_RETENTION_DAYS: whole days, or the store default (400) when unset', () => {
    expect(readConfig({ ...base, AUDIT_RETENTION_DAYS: '2555' }).auditRetentionDays).toBe(2555);
    expect(readConfig(base).auditRetentionDays).toBeUndefined();
    for (const bad of ['0', '1.5', 'forever', '-3']) expect(() => readConfig({ ...base, AUDIT_RETENTION_DAYS: bad })).toThrow(/AUDIT_RETENTION_DAYS/);
  });

  test('SCIM_PROFILE picks the compatibility profile; an unknown one fails the start', () => {
    expect(readConfig({ ...base, SCIM_PROFILE: 'aws-iam-identity-center' }).profile).toBe('aws-iam-identity-center');
    expect(() => readConfig({ ...base, SCIM_PROFILE: 'okta' })).toThrow(/okta/);
  });

  test('sam local invoke: a token hash instead of the secret, with DynamoDB Local', () => {
    const config = readConfig({ ...base, TOKEN_SECRET_ARN: `sha256:${HASH}`, DYNAMODB_ENDPOINT: 'http://host.docker.internal:8000' });
    expect(config.localTokenSha256).toBe(HASH);
  });

  test.each([
    [{ TOKEN_SECRET_ARN: `sha256:${HASH}` }, /sam local invoke only/],
    [{ TOKEN_SECRET_ARN: `sha256:${HASH}`, DYNAMODB_ENDPOINT: '' }, /sam local invoke only/],
    [{ TOKEN_SECRET_ARN: 'sha256:short', DYNAMODB_ENDPOINT: 'http://x' }, /base64url SHA-256/],
    [{ TABLE_NAME: '' }, /TABLE_NAME/],
    [{ SCIM_BASE_URL: '' }, /SCIM_BASE_URL/],
    [{ SCIM_BASE_URL: 'https://scim.example.com/scim/v2/' }, /SCIM_BASE_URL/],
    [{ SCIM_BASE_URL: 'scim.example.com/scim/v2' }, /SCIM_BASE_URL/],
    [{ SCIM_BASE_URL: 'https://scim.example.com/v1' }, /SCIM_BASE_URL/],
  ])('refuses %j at start', (override, message) => {
    expect(() => readConfig({ ...base, ...override })).toThrow(message);
  });
});
