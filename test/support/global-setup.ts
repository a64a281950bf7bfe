import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';

/** One DynamoDB Local (in memory) for the whole run; each test file makes its own table in it. */
export default async function globalSetup(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  process.env.DYNAMODB_LOCAL_ENDPOINT = dynamo.endpoint;
  (globalThis as { __dynamo?: typeof dynamo }).__dynamo = dynamo;
}
