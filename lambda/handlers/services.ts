import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DirectoryEntry } from '../http/directories';
import { profileServiceRules } from '../scim/profiles/service-rules';
import type { ProfileName } from '../scim/profiles/profile';
import { GroupService } from '../service/group-service';
import type { ServiceOptions } from '../service/resource-service';
import { UserService } from '../service/user-service';
import { DynamoAuditLog } from '../store/audit-log';
import { DynamoGroupReads, DynamoGroupStore } from '../store/dynamo-groups';
import { DynamoUserReads, DynamoUserStore } from '../store/dynamo-users';
import type { MembershipOptions, StoreOptions } from '../store/memberships';
import type { TableRef } from '../store/resource-table';
import type { AuditReads, GroupStore, UserStore } from '../store/types';

/** One directory's stores: its users, its groups and its audit trail. */
export interface DirectoryStores {
  readonly users: UserStore;
  readonly groups: GroupStore;
  readonly audit: AuditReads;
}

/** Where the services keep their data: the DynamoDB table, or stores handed in (SCIM_STORE=memory). */
export type StoreSettings = TableSettings | HandedStoreSettings;

interface CommonStoreSettings {
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

/** The DynamoDB table: what every deployed function runs on. */
export interface TableSettings extends CommonStoreSettings {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly stores?: undefined;
}

/**
 * Stores handed in, by directory id: the local endpoint's in-memory store, which the store
 * contract suite holds to what the table does. No deployed function is built with these,
 * and nothing here imports them, so they stay out of the bundles.
 */
export interface HandedStoreSettings extends CommonStoreSettings {
  readonly stores: (directoryId: string) => DirectoryStores;
  readonly client?: undefined;
  readonly tableName?: undefined;
}

/** What a function's routes are built from: the store and the compatibility profile. */
export type FunctionSettings = StoreSettings & {
  /** @default 'rfc' */
  readonly profile?: ProfileName;
};

/** The settings of another directory's routes: its id (keys and cursors) and its profile, on the same table. */
export function directorySettings(home: FunctionSettings, entry: DirectoryEntry): FunctionSettings {
  return { ...home, directoryId: entry.id, cursorScope: entry.id, profile: entry.profile };
}

/** The user and group stores and the audit trail of the settings' directory. */
export function directoryStores(settings: StoreSettings): DirectoryStores {
  return settings.stores ? settings.stores(settings.directoryId) : dynamoStores(settings);
}

/** The user and group stores and the audit trail of one directory on the DynamoDB table. */
export function dynamoStores(settings: TableSettings) {
  const [ref, options] = tableOf(settings);
  return {
    users: new DynamoUserStore(ref, options),
    groups: new DynamoGroupStore(ref, options),
    audit: new DynamoAuditLog(settings.client, settings.tableName, settings.directoryId),
  };
}

/** The table and the store options of the settings' directory. */
const tableOf = (settings: TableSettings): [TableRef, StoreOptions] => [
  { client: settings.client, tableName: settings.tableName, directory: settings.directoryId },
  { ...settings.memberships, auditRetentionDays: settings.auditRetentionDays },
];

/** The services' options with the profile's rules (lambda/scim/profiles/service-rules.ts). */
const withProfile = (settings: FunctionSettings, options?: ServiceOptions): ServiceOptions => ({
  ...profileServiceRules(settings.profile ?? 'rfc'),
  ...options,
});

/** The Users service on the directory's stores, with the profile's rules (Users, Bulk and /.search alike). */
export function usersService(settings: FunctionSettings, options?: ServiceOptions): UserService {
  // On the table, each service gets the stores' code it calls and no more, so that its
  // function's bundle leaves the rest out: the Users service reads groups but writes none (the
  // Groups service likewise users), and neither reads the audit trail (the Audit function does).
  const { users, groups } = settings.stores
    ? settings.stores(settings.directoryId)
    : { users: new DynamoUserStore(...tableOf(settings)), groups: new DynamoGroupReads(...tableOf(settings)) };
  return new UserService(users, groups, withProfile(settings, { ...options, directory: settings.cursorScope }));
}

/** The Groups service on the directory's stores, with the profile's rules. */
export function groupsService(settings: FunctionSettings, options?: ServiceOptions): GroupService {
  const { users, groups } = settings.stores
    ? settings.stores(settings.directoryId)
    : { users: new DynamoUserReads(...tableOf(settings)), groups: new DynamoGroupStore(...tableOf(settings)) };
  return new GroupService(groups, users, withProfile(settings, { ...options, directory: settings.cursorScope }));
}
