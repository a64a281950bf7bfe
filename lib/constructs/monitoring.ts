import { Aws, Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** What {@link Monitoring} watches. */
export interface MonitoringProps {
  readonly api: apigateway.RestApi;
  readonly table: dynamodb.Table;
  /** Functions by a short name used in alarm names. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Address subscribed to the alarm topic; none: subscribe later. */
  readonly alarmEmail?: string;
  /** Encrypts the topic with this key; none: SNS's own encryption is off (the topic holds alarm states only). */
  readonly encryptionKey?: kms.IKey;
}

/** The table operations the functions use: the DynamoDB error alarms watch exactly these. */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.BATCH_GET_ITEM,
  dynamodb.Operation.BATCH_WRITE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

/**
 * Alarms on what an operator must hear about: 5xx answers, throttling, Lambda errors and
 * DynamoDB errors. Each sends to one SNS topic (TLS-only publishing).
 */
export class Monitoring extends Construct {
  /** Every alarm notifies this topic. */
  public readonly topic: sns.Topic;
  /** The alarms, by construct id. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'SCIM endpoint alarms', enforceSSL: true, masterKey: props.encryptionKey });
    // enforceSSL gives the topic its own policy, which replaces SNS's default one: CloudWatch
    // must then be let in explicitly, and only for this account's alarms.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
        },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const period = Duration.minutes(5);
    this.add('Api5xx', props.api.metricServerError({ period, statistic: 'Sum' }), 'API Gateway answered 5xx');
    // A 429 from the stage throttle shows only in 4XXError; Lambda throttles are their own metric.
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), `${name} function errors (uncaught, timeouts)`);
      this.add(`${name}Throttles`, fn.metricThrottles({ period, statistic: 'Sum' }), `${name} function throttled`);
    }
    this.add(
      'TableSystemErrors',
      props.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period }),
      'DynamoDB answered 5xx (system errors)',
    );
    this.add(
      'TableThrottles',
      props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period }),
      'DynamoDB throttled requests',
    );
  }

  /**
   * An alarm when `metric` reaches `threshold` (default 1) in one period, or falls to it with
   * `comparison` LESS_THAN_OR_EQUAL_TO_THRESHOLD; no data is healthy.
   */
  add(
    id: string,
    metric: cloudwatch.IMetric,
    description: string,
    threshold = 1,
    comparison = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: description,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: comparison,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
