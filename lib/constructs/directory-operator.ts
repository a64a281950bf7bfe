import { Aws } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { INDEXES } from '../../lambda/store/table';
import { TABLE_KMS_ACTIONS, viaService } from './encryption';
import { acknowledgeNagFindings } from './nag-acknowledgments';

/** Settings of {@link DirectoryOperator}. */
export interface DirectoryOperatorProps {
  readonly tokenSecret: secretsmanager.ISecret;
  readonly table: dynamodb.ITable;
  /** The usage plan each directory's key joins. */
  readonly usagePlan: apigateway.IUsagePlan;
  /** The customer-managed key of the secret and the table, when there is one. @default none */
  readonly encryptionKey?: kms.IKey;
}

/**
 * What an operator needs to run `npm run directory` and `npm run token` against this stack, as
 * one managed policy to attach to the operator's role (no role is created, none is changed):
 * the stack's outputs, the token list (read and write), the directory index and item deletes
 * on the table (a directory's deletion, without Scan), and the API keys of the usage plan.
 * No function has any of it.
 */
export class DirectoryOperator extends Construct {
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: DirectoryOperatorProps) {
    super(scope, id);
    const apigatewayArn = (path: string) => `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::${path}`;
    const statements = [
      // The CLIs find the secret, table, usage plan and Base URL in the outputs.
      new iam.PolicyStatement({ sid: 'ReadTheStackOutputs', actions: ['cloudformation:DescribeStacks'], resources: [Aws.STACK_ID] }),
      new iam.PolicyStatement({
        sid: 'ReadAndWriteTheTokenList',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [props.tokenSecret.secretArn],
      }),
      new iam.PolicyStatement({
        sid: 'FindADirectorysItems',
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${INDEXES.byDirectory.indexName}`],
      }),
      new iam.PolicyStatement({ sid: 'DeleteADirectorysItems', actions: ['dynamodb:BatchWriteItem'], resources: [props.table.tableArn] }),
      // API keys are not tagged resources of one plan: IAM names them by path. Values are read
      // only to find a key a create cut short (matched by name and value).
      new iam.PolicyStatement({
        sid: 'KeyADirectoryInTheUsagePlan',
        actions: ['apigateway:GET', 'apigateway:POST'],
        resources: [apigatewayArn('/apikeys'), apigatewayArn(`/usageplans/${props.usagePlan.usagePlanId}/keys`)],
      }),
      new iam.PolicyStatement({ sid: 'RemoveADirectorysKey', actions: ['apigateway:DELETE'], resources: [apigatewayArn('/apikeys/*')] }),
    ];
    if (props.encryptionKey) {
      statements.push(viaService(props.encryptionKey, 'secretsmanager', ['kms:Decrypt', 'kms:GenerateDataKey']));
      statements.push(viaService(props.encryptionKey, 'dynamodb', TABLE_KMS_ACTIONS));
    }
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'scim-endpoint operator: npm run directory (create, list, delete) and npm run token on this stack',
      statements,
    });
    acknowledgeNagFindings(this.policy, 'operatorApiKeys');
  }
}
