import { TestEnvironment } from 'jest-environment-node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../lib/local/dynamodb-local';

/**
 * The test environment of every test file: Node's, plus a DynamoDB Local of the file's own,
 * started when the file first asks for it (test/support/dynamo.ts) and stopped after the
 * file's last hook. One shared instance for the whole run degraded as the run went on:
 * after a file that wrote thousands of large transactions (the atomic-members test), the
 * same DynamoDB Local took seconds per transaction for minutes, and the files after it timed
 * out. A fresh one per file costs its start (about 4 s) and keeps each file's figures its own.
 */
export default class DynamoEnvironment extends TestEnvironment {
  private dynamo?: Promise<DynamoDbLocal>;

  async setup(): Promise<void> {
    await super.setup();
    this.global.__dynamoLocalEndpoint = async () => (await (this.dynamo ??= startDynamoDbLocal())).endpoint;
  }

  async teardown(): Promise<void> {
    if (this.dynamo) await (await this.dynamo.catch(() => undefined))?.stop();
    await super.teardown();
  }
}
