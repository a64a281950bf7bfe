import * as iam from 'aws-cdk-lib/aws-iam';
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
  /** When given, only these sources are let through (IPv4 and IPv6 CIDRs). */
  readonly allowedSourceCidrs?: string[];
}

/**
 * A WAF web ACL on the stage: a rate-based rule per source IP (blocks floods before they reach
 * API Gateway's stage throttle, which is shared by all callers) and an optional IP allow list.
 */
export class ApiWebAcl extends Construct {
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;

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
        priority: 1,
        action: { allow: {} },
        statement: references.length === 1 ? references[0] : { orStatement: { statements: references } },
        visibilityConfig: visibility('scim-allow-list'),
      });
    }
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'SCIM endpoint: rate limit per source IP' + (cidrs.length > 0 ? ' and source allow list' : ''),
      // With an allow list, whatever it does not match is blocked; without one, all that passes the rate rule.
      defaultAction: cidrs.length > 0 ? { block: {} } : { allow: {} },
      rules,
      visibilityConfig: visibility('scim-endpoint'),
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
