import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgePublisher } from '../events/publisher';
import { publishChanges } from '../events/stream-handler';
import { jsonLogger } from '../http/log';

let publisher: EventBridgePublisher | undefined;

/** Lambda entry of the change-event publisher: the table's stream in, EventBridge events out. */
export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  if (!publisher) {
    const busName = process.env.EVENT_BUS_NAME;
    if (!busName) throw new Error('Missing required environment variable: EVENT_BUS_NAME');
    publisher = new EventBridgePublisher(busName);
  }
  return publishChanges(event, publisher, jsonLogger);
};
