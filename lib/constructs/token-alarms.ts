import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TOKEN_METRIC } from '../../lambda/http/token-expiry';
import { SECRET_READ_KMS_ACTIONS, viaService } from './encryption';
import type { Monitoring } from './monitoring';
import { NodeFunction } from './node-function';

/** Settings of {@link TokenAlarms}. */
export interface TokenAlarmsProps {
  readonly tokenSecret: secretsmanager.ISecret;
  /** The stage's access log, whose `status` field the 401 and 429 counts are read from. */
  readonly accessLogGroup: logs.ILogGroup;
  readonly monitoring: Monitoring;
  readonly logRetention: logs.RetentionDays;
  /** 401 answers in 5 minutes that alarm (token guessing, or an identity provider with a revoked or expired token). */
  readonly unauthorizedThreshold: number;
  /** 429 answers in 5 minutes that alarm (a provider above its usage plan, or a flood). */
  readonly throttledThreshold: number;
  readonly encryptionKey?: kms.IKey;
}

/** Days before the newest token's expiry at which the two expiry alarms fire. */
export const TOKEN_EXPIRY_ALARM_DAYS = [30, 7] as const;

/**
 * Warnings before provisioning silently turns into 401s, and alarms on abuse: a daily check
 * publishes the days left on the newest live token (TokenDaysLeft), alarmed at 30 and 7 days;
 * the access log's 401 and 429 answers are counted and alarmed. All notify the alarm topic.
 */
export class TokenAlarms extends Construct {
  /** The daily check. */
  public readonly checker: NodeFunction;

  constructor(scope: Construct, id: string, props: TokenAlarmsProps) {
    super(scope, id);
    this.checker = new NodeFunction(this, 'ExpiryCheck', {
      entry: 'lambda/handlers/token-expiry.ts',
      description: 'SCIM: daily check of the days left on the newest token',
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
      // Not the endpoint's log level: its metric lines carry no level, so Lambda counts them as
      // INFO, and a WARN setting would drop them and silence the expiry alarms.
      environment: { TOKEN_SECRET_ARN: props.tokenSecret.secretArn, STACK_NAME: Aws.STACK_NAME },
    });
    this.checker.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.tokenSecret.secretArn] }),
    );
    if (props.encryptionKey) this.checker.role.addToPrincipalPolicy(viaService(props.encryptionKey, 'secretsmanager', SECRET_READ_KMS_ACTIONS));
    new events.Rule(this, 'Daily', {
      description: 'SCIM: the daily token expiry check',
      schedule: events.Schedule.rate(Duration.days(1)),
      targets: [new targets.LambdaFunction(this.checker.fn, { retryAttempts: 2 })],
    });

    const daysLeft = new cloudwatch.Metric({
      namespace: TOKEN_METRIC.namespace,
      metricName: TOKEN_METRIC.name,
      dimensionsMap: { Stack: Aws.STACK_NAME },
      period: Duration.days(1),
      statistic: 'Minimum',
    });
    for (const days of TOKEN_EXPIRY_ALARM_DAYS) {
      props.monitoring.add(
        `TokenExpiresIn${days}Days`,
        daysLeft,
        `The newest SCIM token expires in ${days} days or less (or none is live): rotate it (npm run token -- rotate)`,
        days,
        cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      );
    }
    props.monitoring.add('TokenExpiryCheckErrors', this.checker.fn.metricErrors({ period: Duration.days(1), statistic: 'Sum' }), 'The daily token expiry check failed');

    const period = Duration.minutes(5);
    for (const [name, status, threshold, description] of [
      ['Unauthorized', '401', props.unauthorizedThreshold, 'Many 401 answers: token guessing, or a provider whose token was revoked or expired'],
      ['Throttled', '429', props.throttledThreshold, 'Many 429 answers: a provider above its usage plan, or a flood'],
    ] as const) {
      const filter = new logs.MetricFilter(this, `${name}Answers`, {
        logGroup: props.accessLogGroup,
        filterPattern: logs.FilterPattern.stringValue('$.status', '=', status),
        // One namespace per stack: a metric filter's metric has no dimension to tell stacks apart.
        metricNamespace: `${TOKEN_METRIC.namespace}/${Aws.STACK_NAME}`,
        metricName: `${name}Answers`,
        metricValue: '1',
      });
      props.monitoring.add(`Api${status}`, filter.metric({ period, statistic: 'Sum' }), description, threshold);
    }
  }
}
