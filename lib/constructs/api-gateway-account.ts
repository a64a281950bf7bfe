import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeNagFindings } from './nag-acknowledgments';

/**
 * The per-region API Gateway account setting that lets API Gateway write access logs: a role
 * it assumes. Instead of the managed AmazonAPIGatewayPushToCloudWatchLogs policy (Resource "*"),
 * an inline policy limited to this account's log groups in this region. The role is kept on
 * stack deletion, since other APIs of the account may rely on the setting.
 */
export class ApiGatewayAccount extends Construct {
  /** The account setting. */
  public readonly account: apigateway.CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const logGroups = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`;
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway: write access logs to CloudWatch Logs in this account and region',
      inlinePolicies: {
        AccessLogs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:DescribeLogGroups',
                'logs:DescribeLogStreams',
                'logs:PutLogEvents',
              ],
              resources: [logGroups],
            }),
          ],
        }),
      },
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledgeNagFindings(role, 'apiGatewayAccountLogGroups');
    this.account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    this.account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
