import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DirectoryEntry } from '../http/directories';
import { profileServiceRules } from '../scim/profiles/service-rules';
import type { ProfileName } from '../scim/profiles/profile';
import { GroupService } from '../service/group-service';
import type { ServiceOptions } from '../service/resource-service';
import { UserService } from '../service/user-service';
import { DynamoAuditLog } from '../store/audit-log';
import { DynamoGroupStore } from '../store/dynamo-groups';
import { DynamoUserStore } from '../store/dynamo-users';
import type { MembershipOptions } from '../store/memberships';

/** Where the services keep their data. */
export interface StoreSettings {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly directoryId: string;
  /**
   * Set for a directory other than the deployment's own (to its id): its cursors name it and
   * other directories refuse them. @default none: the deployment's own, cursors as before
   */
  readonly cursorScope?: string;
  /** How pending member changes are waited for and finished (tests shorten them). */
  readonly memberships?: MembershipOptions;
  /** Days an audit entry is kept (DynamoDB TTL). @default 400 */
  readonly auditRetentionDays?: number;
}

/** What a function's routes are built from: the store and the compatibility profile. */
export interface FunctionSettings extends StoreSettings {
  /** @default 'rfc' */
  readonly profile?: ProfileName;
}

/** The settings of another directory's routes: its id (keys and cursors) and its profile, on the same table. */
export function directorySettings(home: FunctionSettings, entry: DirectoryEntry): FunctionSettings {
  return { ...home, directoryId: entry.id, cursorScope: entry.id, profile: entry.profile };
}

const ref = (s: StoreSettings) => ({ client: s.client, tableName: s.tableName, directory: s.directoryId });

/** The user and group stores of one directory on the DynamoDB table. */
export function dynamoStores(settings: StoreSettings) {
  const options = { ...settings.memberships, auditRetentionDays: settings.auditRetentionDays };
  return {
    users: new DynamoUserStore(ref(settings), options),
    groups: new DynamoGroupStore(ref(settings), options),
    audit: new DynamoAuditLog(settings.client, settings.tableName, settings.directoryId),
  };
}

/** The services' options with the profile's rules (lambda/scim/profiles/service-rules.ts). */
const withProfile = (settings: FunctionSettings, options?: ServiceOptions): ServiceOptions => ({
  ...profileServiceRules(settings.profile ?? 'rfc'),
  ...options,
});

/** The Users service on the DynamoDB table, with the profile's rules (Users, Bulk and /.search alike). */
export function usersService(settings: FunctionSettings, options?: ServiceOptions): UserService {
  const { users, groups } = dynamoStores(settings);
  return new UserService(users, groups, withProfile(settings, { ...options, directory: settings.cursorScope }));
}

/** The Groups service on the DynamoDB table, with the profile's rules. */
export function groupsService(settings: FunctionSettings, options?: ServiceOptions): GroupService {
  const { users, groups } = dynamoStores(settings);
  return new GroupService(groups, users, withProfile(settings, { ...options, directory: settings.cursorScope }));
}
