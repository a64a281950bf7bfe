import { Aws, Stack, ArnFormat } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/**
 * The API's resource policy: invoke allowed, and, when `allowedSourceCidrs` is given, denied
 * to every other source address. API Gateway evaluates it before any function runs, at no cost.
 */
export function apiResourcePolicy(allowedSourceCidrs: readonly string[] | undefined): iam.PolicyDocument {
  const statements = [
    new iam.PolicyStatement({
      effect: iam.Effect.ALLOW,
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: ['execute-api:/*'],
    }),
  ];
  if (allowedSourceCidrs && allowedSourceCidrs.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { NotIpAddress: { 'aws:SourceIp': [...allowedSourceCidrs] } },
      }),
    );
  }
  return new iam.PolicyDocument({ statements });
}

/** Settings of {@link ApiWebAcl}. */
export interface ApiWebAclProps {
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  /** Requests per source IP in any 5-minute window above which WAF blocks that IP. */
  readonly requestRateLimit: number;
  /** Requests without a bearer token per source IP in any 5-minute window above which WAF blocks that IP. */
  readonly unauthenticatedRateLimit: number;
  /** When given, only these sources are let through (IPv4 and IPv6 CIDRs). */
  readonly allowedSourceCidrs?: string[];
  /** How long the web ACL's log group keeps blocked and counted requests. */
  readonly logRetention: logs.RetentionDays;
  /** Encrypts the web ACL's log group with this key. @default AWS-owned encryption */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Rules of AWS's Core rule set that SCIM traffic trips by design, counted instead of blocked:
 * bodies above 8 KB (a PATCH of many members, a Bulk request: up to 1 MiB), query strings above
 * 2 KB (filters of up to 4,096 characters) and clients that send no User-Agent.
 */
export const CORE_RULES_COUNTED = ['SizeRestrictions_BODY', 'SizeRestrictions_QUERYSTRING', 'NoUserAgent_HEADER'] as const;

/** The AWS managed rule groups, in evaluation order after the rate rules. */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesCommonRuleSet'] as const;

/**
 * A WAF web ACL on the stage. Two rate rules per source IP: one for all requests, set above
 * what one provider's usage plan lets through (so a provider behind a single egress address is
 * throttled by its plan with a 429 it retries, never blocked by WAF with a 403), and a low one
 * for requests without a bearer token, which can only be refused. Then AWS's IP reputation,
 * known-bad-inputs and core rule groups, and an optional IP allow list. Logs go to CloudWatch
 * (blocked and counted requests only) with the Authorization header, the query string and the
 * path redacted: no token and no filter value or e-mail in a path reaches them.
 */
export class ApiWebAcl extends Construct {
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** Its log group (WAF requires the aws-waf-logs- prefix). */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      {
        name: 'RateLimitPerSourceIp',
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: props.requestRateLimit, aggregateKeyType: 'IP' } },
        visibilityConfig: visibility('scim-rate-limit'),
      },
      {
        name: 'RateLimitWithoutTokenPerSourceIp',
        priority: 1,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: props.unauthenticatedRateLimit,
            aggregateKeyType: 'IP',
            scopeDownStatement: {
              notStatement: {
                statement: {
                  byteMatchStatement: {
                    fieldToMatch: { singleHeader: { Name: 'authorization' } },
                    positionalConstraint: 'STARTS_WITH',
                    searchString: 'bearer ',
                    textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
                  },
                },
              },
            },
          },
        },
        visibilityConfig: visibility('scim-rate-limit-without-token'),
      },
      ...MANAGED_RULE_GROUPS.map(
        (name, i): wafv2.CfnWebACL.RuleProperty => ({
          name,
          priority: 2 + i,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name,
              ...(name === 'AWSManagedRulesCommonRuleSet'
                ? { ruleActionOverrides: CORE_RULES_COUNTED.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
                : {}),
            },
          },
          visibilityConfig: visibility(`scim-${name}`),
        }),
      ),
    ];
    const cidrs = props.allowedSourceCidrs ?? [];
    if (cidrs.length > 0) {
      const ipSets = (['IPV4', 'IPV6'] as const)
        .map((version) => ({ version, addresses: cidrs.filter((c) => c.includes(':') === (version === 'IPV6')) }))
        .filter(({ addresses }) => addresses.length > 0)
        .map(
          ({ version, addresses }) =>
            new wafv2.CfnIPSet(this, `Allowed${version}`, { scope: 'REGIONAL', ipAddressVersion: version, addresses }),
        );
      const references = ipSets.map((set) => ({ ipSetReferenceStatement: { arn: set.attrArn } }));
      rules.push({
        name: 'AllowListedSources',
        priority: 2 + MANAGED_RULE_GROUPS.length,
        action: { allow: {} },
        statement: references.length === 1 ? references[0] : { orStatement: { statements: references } },
        visibilityConfig: visibility('scim-allow-list'),
      });
    }
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'SCIM endpoint: rate limits per source IP, AWS managed rules' + (cidrs.length > 0 ? ', source allow list' : ''),
      // With an allow list, whatever it does not match is blocked; without one, all that passes the rules.
      defaultAction: cidrs.length > 0 ? { block: {} } : { allow: {} },
      rules,
      visibilityConfig: visibility('scim-endpoint'),
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });

    const logGroupName = `aws-waf-logs-scim-${this.node.addr.slice(0, 12)}`;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { logGroupName, retention: props.logRetention, encryptionKey: props.encryptionKey });
    const logGroupArn = Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // WAF delivers through CloudWatch Logs' log-delivery service: only into this log group, only for this account.
    const delivery = new logs.ResourcePolicy(this, 'LogDelivery', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${logGroupArn}:log-stream:*`],
          conditions: {
            StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
            ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` },
          },
        }),
      ],
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [logGroupArn],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { queryString: {} }, { uriPath: {} }],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    logging.node.addDependency(this.logGroup, delivery);
  }
}
