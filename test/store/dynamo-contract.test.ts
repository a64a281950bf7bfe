import { dynamoStores } from '../../lambda/handlers/services';
import { freshTable } from '../support/dynamo';
import { storeContract } from './contract';

/** The store contract on the DynamoDB store, against DynamoDB Local through the real SDK. */
storeContract('DynamoDB store on DynamoDB Local', async () => {
  const table = await freshTable('contract');
  return { ...dynamoStores({ client: table.client, tableName: table.tableName, directoryId: 'default' }), close: () => table.client.destroy() };
});
