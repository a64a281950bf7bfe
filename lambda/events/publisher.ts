import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { ChangeEvent } from '../store/change-records';

/** The `source` of every change event on the bus (rules match on it). */
export const EVENT_SOURCE = 'scim-endpoint';

/** Puts change events somewhere; answers how many of `events`, from the first, were accepted. */
export interface ChangePublisher {
  publish(events: readonly ChangeEvent[]): Promise<number>;
}

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/** The EventBridge entry of a change: detail-type `<resourceType> <operation>`, e.g. "User created". */
export function toEntry(event: ChangeEvent, busName: string): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: `${event.resourceType} ${event.operation}`,
    Detail: JSON.stringify(event),
    ...(event.at ? { Time: new Date(event.at) } : {}),
  };
}

/** Publishes to an EventBridge bus, in order, 10 entries per call, stopping at the first entry refused. */
export class EventBridgePublisher implements ChangePublisher {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  async publish(events: readonly ChangeEvent[]): Promise<number> {
    let accepted = 0;
    for (let i = 0; i < events.length; i += PUT_EVENTS_MAX_ENTRIES) {
      const chunk = events.slice(i, i + PUT_EVENTS_MAX_ENTRIES);
      const result = await this.client.send(new PutEventsCommand({ Entries: chunk.map((e) => toEntry(e, this.busName)) }));
      const firstFailed = (result.Entries ?? []).findIndex((entry) => entry.ErrorCode !== undefined || !entry.EventId);
      if ((result.FailedEntryCount ?? 0) > 0 || firstFailed >= 0) return accepted + Math.max(0, firstFailed);
      accepted += chunk.length;
    }
    return accepted;
  }
}
