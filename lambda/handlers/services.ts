import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { groupResourceType, userResourceType } from '../scim/schema/registry';
import { ResourceService, type ServiceOptions } from '../service/resource-service';
import { DynamoResourceStore } from '../store/dynamo-resources';

/** Where the services keep their data. */
export interface StoreSettings {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly directoryId: string;
}

/** The Users service on the DynamoDB table. */
export function usersService(settings: StoreSettings, options?: ServiceOptions): ResourceService {
  const store = new DynamoResourceStore(settings.client, settings.tableName, settings.directoryId, 'User');
  return new ResourceService(userResourceType, store, 'userName', options);
}

void groupResourceType;
