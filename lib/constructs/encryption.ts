import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The optional customer-managed key of the endpoint: the table (and its stream), the token
 * secret, every log group, the alarm topic and the dead-letter queue are encrypted with it.
 *
 * The key policy has three statements and no other: the account (so that IAM policies can
 * grant use of the key, AWS's default "Enable IAM policies" statement, without which a key
 * can become unmanageable), CloudWatch Logs for this account's log groups only (log groups
 * are encrypted by the service itself), and CloudWatch alarms of this account publishing to
 * the encrypted topic. The functions get their use of the key from their IAM roles, each
 * bounded to one service with kms:ViaService ({@link viaService}).
 */
export class EncryptionKey extends Construct {
  /** The key. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const account = new iam.AccountRootPrincipal();
    this.key = new kms.Key(this, 'Key', {
      description: 'scim-endpoint: table, token secret, logs, alarm topic and dead-letter queue',
      enableKeyRotation: true,
      // The data it protects is retained; so is the key, or the retained table could not be read.
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ sid: 'AccountAdministersTheKeyThroughIam', principals: [account], actions: ['kms:*'], resources: ['*'] }),
          new iam.PolicyStatement({
            sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
            principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
            actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
            resources: ['*'],
            conditions: {
              ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
            },
          }),
          new iam.PolicyStatement({
            sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
            principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          }),
        ],
      }),
    });
  }
}

/** The KMS actions a role needs to use `key` through one service (e.g. `secretsmanager`, `dynamodb`, `sqs`), and only through it. */
export function viaService(key: kms.IKey, service: string, actions: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...actions],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } },
  });
}

/** Reading the token secret: decrypting its value. */
export const SECRET_READ_KMS_ACTIONS = ['kms:Decrypt'];
/** Reading and writing the table: its data key is generated and decrypted through DynamoDB. */
export const TABLE_KMS_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
