import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { memberSk } from '../store/keys';

/** Sort keys of member items (lambda/store/keys.ts): one item per member of a group. */
const MEMBER_PREFIX = memberSk('');

type Key = Record<string, unknown> | undefined;
type WriteRequest = { PutRequest?: { Item?: Key }; DeleteRequest?: { Key?: Key } };

/**
 * Tells `onChange` how many member items each successful write committed: puts are members
 * added, deletes members removed. A metric hook on the handlers' client, so that neither the
 * services nor the stores need to know about metrics; it reads the writes the store sends,
 * recognising member items by the key prefix the store defines.
 */
export function countMemberChanges(client: DynamoDBDocumentClient, onChange: (added: number, removed: number) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const { added, removed } = memberWrites(String(context.commandName), args.input as Record<string, unknown>, result.output as Record<string, unknown>);
      if (added > 0 || removed > 0) onChange(added, removed);
      return result;
    },
    { step: 'initialize', name: 'scimMemberChangeMetrics' },
  );
}

/** Member items put and deleted by one command's input, less what DynamoDB left unprocessed. */
export function memberWrites(command: string, input: Record<string, unknown>, output: Record<string, unknown> = {}): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  if (command.startsWith('TransactWriteItems')) {
    for (const item of (input.TransactItems as Array<{ Put?: { Item?: Key }; Delete?: { Key?: Key } }>) ?? []) {
      if (isMember(item.Put?.Item)) added++;
      if (isMember(item.Delete?.Key)) removed++;
    }
  } else if (command.startsWith('BatchWriteItem')) {
    const count = (requests: Record<string, WriteRequest[]> | undefined, sign: number) => {
      for (const list of Object.values(requests ?? {})) {
        for (const request of list) {
          if (isMember(request.PutRequest?.Item)) added += sign;
          if (isMember(request.DeleteRequest?.Key)) removed += sign;
        }
      }
    };
    count(input.RequestItems as Record<string, WriteRequest[]>, 1);
    count(output.UnprocessedItems as Record<string, WriteRequest[]> | undefined, -1);
  }
  return { added, removed };
}

/** The sort key as the document client takes it (a string) or as the wire carries it ({S}). */
function isMember(key: Key): boolean {
  const sk = key?.sk;
  const text = typeof sk === 'string' ? sk : typeof sk === 'object' && sk !== null ? (sk as { S?: unknown }).S : undefined;
  return typeof text === 'string' && text.startsWith(MEMBER_PREFIX);
}
