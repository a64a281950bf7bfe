/**
 * A process that adds members to a group through the Groups service and is killed (SIGKILL,
 * no clean-up of any kind) right after its k-th transaction is acknowledged: what a Lambda
 * function that dies between two transactions of a large member change leaves behind.
 *
 *   node --import tsx test/support/member-writer-child.ts <endpoint> <table> <groupId> <k> <userId,...>
 */
import { groupsService } from '../../lambda/handlers/services';
import { createDocumentClient } from '../../lambda/store/client';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/dynamodb-local';

async function main(): Promise<void> {
  const [endpoint, tableName, groupId, k, ids] = process.argv.slice(2);
  const client = createDocumentClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  let acknowledged = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'TransactWriteItemsCommand' && ++acknowledged === Number(k)) process.kill(process.pid, 'SIGKILL');
      return result;
    },
    { step: 'initialize', name: 'killAfterTransaction' },
  );
  const service = groupsService({ client, tableName, directoryId: 'default' });
  await service.patch(
    groupId,
    { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: ids.split(',').map((value) => ({ value })) }] },
    { baseUrl: 'http://local/scim/v2', request: { actor: { tokenId: 'tok-child', name: 'killed-writer' }, requestId: 'child-request', directory: 'default' } },
  );
  process.stdout.write('finished without being killed\n');
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
