import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgePublisher } from '../events/publisher';
import { publishChanges } from '../events/stream-handler';
import { powertoolsLogger } from './telemetry';

let started: { publisher: EventBridgePublisher; log: ReturnType<typeof powertoolsLogger> } | undefined;

/** Lambda entry of the change-event publisher: the table's stream in, EventBridge events out. */
export const handler = (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
  if (!started) {
    const busName = process.env.EVENT_BUS_NAME;
    if (!busName) throw new Error('Missing required environment variable: EVENT_BUS_NAME');
    started = { publisher: new EventBridgePublisher(busName), log: powertoolsLogger(process.env) };
  }
  if (context) started.log.powertools.addContext(context);
  return publishChanges(event, started.publisher, started.log.logger);
};
