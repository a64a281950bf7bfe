import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_PREFIX } from '../../lambda/store/keys';
import { viaService } from './encryption';
import { acknowledgeNagFindings } from './nag-acknowledgments';
import { NodeFunction } from './node-function';
import type { FunctionObservability } from './observability';

/** What {@link ChangeEvents} reads from and how its function is set up. */
export interface ChangeEventsProps {
  /** The SCIM table; its stream (NEW_AND_OLD_IMAGES) is the source. */
  readonly table: dynamodb.Table;
  readonly logRetention: logs.RetentionDays;
  /** Encrypts the dead-letter queue and the publisher's log group; the publisher may decrypt the stream with it. */
  readonly encryptionKey?: kms.IKey;
  /** The endpoint's log level, tracing and Powertools variables. @default INFO, no tracing, service `scim-endpoint` */
  readonly observability?: FunctionObservability;
}

/**
 * Publishes every committed change (users, groups, memberships) to an EventBridge bus: a
 * function reads the audit entries off the table's stream and puts one event per change. Records it cannot publish
 * after its retries land in a dead-letter queue rather than being lost silently.
 */
export class ChangeEvents extends Construct {
  /** The bus the events are put on; downstream applications add rules to it. */
  public readonly bus: events.EventBus;
  /** The stream consumer. */
  public readonly publisher: NodeFunction;
  /** Stream batches that could not be published (their shard, sequence numbers and age). */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ChangeEventsProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error('ChangeEvents needs a table with a stream');

    this.bus = new events.EventBus(this, 'Bus', { description: 'SCIM change events (scim-endpoint)' });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...(props.encryptionKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      retentionPeriod: Duration.days(14),
      // TLS only: a Deny of every SQS action ("sqs:*") without TLS, which refuses more than a list of actions could.
      enforceSSL: true,
    });
    acknowledgeNagFindings(this.deadLetterQueue, 'streamDeadLetterQueue');
    this.publisher = new NodeFunction(this, 'Publisher', {
      entry: 'lambda/handlers/change-events.ts',
      description: 'SCIM change events: table stream to EventBridge',
      memorySize: 256,
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
      observability: props.observability,
      environment: {
        EVENT_BUS_NAME: this.bus.eventBusName,
        ...(props.observability ? { POWERTOOLS_SERVICE_NAME: props.observability.serviceName } : {}),
      },
    });
    this.publisher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    this.publisher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
    );
    // What SqsDlq would grant, named here: its KMS grant (for an encrypted queue) has wildcard actions.
    this.publisher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    if (props.encryptionKey) {
      this.publisher.role.addToPrincipalPolicy(viaService(props.encryptionKey, 'dynamodb', ['kms:Decrypt']));
      this.publisher.role.addToPrincipalPolicy(viaService(props.encryptionKey, 'sqs', ['kms:Decrypt', 'kms:GenerateDataKey']));
    }

    new lambda.EventSourceMapping(this, 'StreamSource', {
      target: this.publisher.fn,
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      retryAttempts: 10,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      maxRecordAge: Duration.days(1),
      onFailure: { bind: () => ({ destination: this.deadLetterQueue.queueArn }) },
      // Only audit entries being written: each is one applied change with the token that made it
      // (lambda/store/change-records.ts). Resources, guards, counters and TTL expiries never wake the function.
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { Keys: { sk: { S: [{ prefix: AUDIT_PREFIX }] } } },
        }),
      ],
    });
  }
}
