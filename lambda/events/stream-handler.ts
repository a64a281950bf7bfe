import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Logger } from '../http/log';
import { changeEventsOf, type ChangeEvent, type ChangeRecord } from '../store/change-records';
import type { ChangePublisher } from './publisher';

/**
 * Handles one batch of stream records: maps each to its change events (if any) and publishes
 * them in stream order. When publishing stops at some event, the batch is reported failed from
 * that event's record on, so Lambda retries from there: delivery is at least once, in order per
 * resource (a resource's audit entries share one partition, hence one shard).
 */
export async function publishChanges(
  event: DynamoDBStreamEvent,
  publisher: ChangePublisher,
  logger: Logger,
): Promise<DynamoDBBatchResponse> {
  const changes: Array<{ change: ChangeEvent; sequenceNumber: string }> = [];
  for (const record of event.Records) {
    for (const change of changeEventsOf(record as ChangeRecord)) changes.push({ change, sequenceNumber: record.dynamodb?.SequenceNumber ?? '' });
  }
  let accepted = 0;
  try {
    accepted = await publisher.publish(changes.map((c) => c.change));
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    logger.error('publishing change events failed', { errorName: name, errorMessage: message, records: event.Records.length });
  }
  logger.info('change events', { records: event.Records.length, changes: changes.length, published: accepted });
  if (accepted >= changes.length) return { batchItemFailures: [] };
  return { batchItemFailures: [{ itemIdentifier: changes[accepted].sequenceNumber }] };
}
