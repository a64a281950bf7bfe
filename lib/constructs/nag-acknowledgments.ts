import { type Acknowledgment, CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The findings of cdk-nag's AwsSolutions pack that the endpoint accepts rather than fixes, each
 * with its reason. They are recorded with CDK's own `Validations.acknowledge` (construct metadata,
 * which cdk-nag v3 and CDK's policy validation read), so an app using the construct needs no
 * cdk-nag, and one running it sees these findings as acknowledged. docs/security.md ("cdk-nag")
 * repeats every reason; test/cdk/configurations.test.ts checks that it does, and that each
 * acknowledgment answers a finding the pack really raises.
 */
export const NAG_ACKNOWLEDGMENTS = {
  secretRotation: {
    id: 'AwsSolutions-SMG4',
    reason:
      'The secret holds hashes of the tokens identity providers present, which Secrets Manager rotation cannot hand to a provider: tokens are rotated with the token CLI (two active at once, each with an expiry), and the daily check alarms 30 and 7 days before the newest expires.',
  },
  requestValidation: {
    id: 'AwsSolutions-APIG2',
    reason:
      "The SCIM functions validate every body and parameter (RFC 7643 and 7644) and answer an RFC 7644 section 3.12 error, tolerating the dialects real clients send; an API Gateway model would refuse those requests with a non-SCIM error. The one required parameter, Authorization, is the edge authorizer's identity source.",
  },
  executionLogs: {
    id: 'AwsSolutions-APIG6',
    reason:
      'Execution logs and data tracing would record request headers (the bearer token) and raw paths (an e-mail used as an id); the JSON access log records every request without them.',
  },
  webAclOptional: {
    id: 'AwsSolutions-APIG3',
    reason:
      'The web ACL is the webAcl setting, off by default since WAF bills per web ACL, rule and request; without it the edge authorizer, the usage plan per directory and the stage throttle stand in front of every function.',
  },
  bearerTokenAuthorizer: {
    id: 'AwsSolutions-COG4',
    reason:
      'Identity providers authenticate with a bearer token the endpoint issued (RFC 7644 section 2), which a Cognito user pool neither issues nor checks: every method has the REQUEST authorizer, which checks the token against the hashes in the secret.',
  },
  xrayResources: {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'With tracing on, Lambda active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level permissions; every other statement names its resources.',
  },
  apiGatewayAccountLogGroups: {
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]',
    reason:
      "The API Gateway account role is a per-region setting that every REST API of the account in the region writes its logs with, to log groups this stack cannot name; it is limited to this account's log groups in this region (AWS's managed policy has Resource *). apiGatewayCloudWatchRole false leaves an existing one alone.",
  },
  operatorApiKeys: {
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/apikeys/*]',
    reason:
      "npm run directory creates an API key for each directory outside the stack and deletes it with the directory; IAM can name a key only by its id, which exists only once the key does. The statement allows apigateway:DELETE on API keys alone, and the policy is attached to no role: an operator's role gets it only when someone attaches it.",
  },
  runtimePinned: {
    id: 'AwsSolutions-L1',
    reason:
      'The functions run on Node.js 22, the runtime their bundles are built for (esbuild target node22) and tested on; moving to a newer runtime is a change of its own, not a side effect of a new aws-cdk-lib.',
  },
  streamDeadLetterQueue: {
    id: 'AwsSolutions-SQS3',
    reason:
      "The queue is the dead-letter destination of the table stream's event source mapping, which the rule does not count as one; a queue behind it would catch nothing. Its depth is alarmed.",
  },
} as const satisfies Record<string, Acknowledgment>;

/** The name of one acknowledged finding. */
export type NagAcknowledgment = keyof typeof NAG_ACKNOWLEDGMENTS;

/**
 * Acknowledges findings on one CloudFormation resource: `scope` itself, or the resource an L2
 * construct wraps (its default child), never a whole subtree, so that a new resource added
 * beside it is checked afresh.
 */
export function acknowledgeNagFindings(scope: IConstruct, ...names: NagAcknowledgment[]): void {
  const resource = CfnResource.isCfnResource(scope) ? scope : scope.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) throw new Error(`${scope.node.path} is not a CloudFormation resource and wraps none`);
  Validations.of(resource).acknowledge(...names.map((name) => NAG_ACKNOWLEDGMENTS[name]));
}
