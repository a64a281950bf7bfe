import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ProfileName } from '../scim/profiles/profile';
import { GroupService } from '../service/group-service';
import type { ServiceOptions } from '../service/resource-service';
import { UserService } from '../service/user-service';
import { DynamoGroupStore } from '../store/dynamo-groups';
import { DynamoUserStore } from '../store/dynamo-users';

/** Where the services keep their data. */
export interface StoreSettings {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly directoryId: string;
}

/** What a function's routes are built from: the store and the compatibility profile. */
export interface FunctionSettings extends StoreSettings {
  /** @default 'rfc' */
  readonly profile?: ProfileName;
}

const userStore = (s: StoreSettings) => new DynamoUserStore(s.client, s.tableName, s.directoryId);
const groupStore = (s: StoreSettings) => new DynamoGroupStore(s.client, s.tableName, s.directoryId);

/** The Users service on the DynamoDB table. */
export function usersService(settings: StoreSettings, options?: ServiceOptions): UserService {
  return new UserService(userStore(settings), groupStore(settings), options);
}

/** The Groups service on the DynamoDB table. */
export function groupsService(settings: StoreSettings, options?: ServiceOptions): GroupService {
  return new GroupService(groupStore(settings), userStore(settings), options);
}
