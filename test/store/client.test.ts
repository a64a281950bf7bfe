import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { UNNEEDED_STEPS } from '../../lambda/store/client';
import { freshTable } from '../support/dynamo';

/** The document client the stores use: the SDK's steps it goes without, and a call that still works signed. */
describe('the stores\' DynamoDB client', () => {
  it('sends signed calls without the user-agent and logger steps, and DynamoDB answers them', async () => {
    const table = await freshTable('client');
    try {
      const steps = table.client.middlewareStack.identify().join('\n');
      for (const step of UNNEEDED_STEPS) expect(steps).not.toContain(step);
      expect(steps).toContain('retryMiddleware');
      expect(steps).toContain('httpSigningMiddleware');
      let sent: Record<string, string> = {};
      table.client.middlewareStack.add(
        (next) => async (args) => {
          sent = { ...(args.request as { headers: Record<string, string> }).headers };
          return next(args);
        },
        { step: 'finalizeRequest', priority: 'low', name: 'testHeaderRecorder' },
      );
      const answer = await table.client.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'none', sk: 'none' } }));
      expect(answer.$metadata.httpStatusCode).toBe(200);
      expect(answer.Item).toBeUndefined();
      expect(sent.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
      expect(sent['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
      expect(Object.keys(sent).filter((h) => /user-agent/i.test(h))).toEqual([]);
    } finally {
      table.client.destroy();
    }
  });
});
