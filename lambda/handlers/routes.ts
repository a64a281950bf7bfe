/**
 * The SCIM functions and the paths each one answers, below the Base URL `/scim/v2`.
 * The CDK stack builds API Gateway's resources from this list and the local endpoint routes
 * with it, so the two cannot disagree.
 */
export interface FunctionRoute {
  /** Construct id and name stem of the Lambda function. */
  readonly id: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** The first path segment below /scim/v2 that the function owns, e.g. "Users". */
  readonly resources: readonly string[];
  /** Whether the function also owns `/<resource>/{id}` and deeper paths. */
  readonly withChildren: boolean;
  /** Whether the function reads the table; one that does not gets neither its name nor access to it. @default true */
  readonly usesTable?: boolean;
  /** A function that only reads the table is given read actions only. @default 'readWrite' */
  readonly tableAccess?: 'readWrite' | 'read';
}

export const FUNCTION_ROUTES: readonly FunctionRoute[] = [
  { id: 'Users', entry: 'lambda/handlers/users.ts', resources: ['Users'], withChildren: true },
  { id: 'Groups', entry: 'lambda/handlers/groups.ts', resources: ['Groups'], withChildren: true },
  // Discovery reads no table; /Me lives here because it is answered without one too (501).
  {
    id: 'Discovery',
    entry: 'lambda/handlers/discovery.ts',
    resources: ['ServiceProviderConfig', 'Schemas', 'ResourceTypes', 'Me'],
    withChildren: true,
    usesTable: false,
  },
  // /Bulk and the root /.search span both resource types, so they share one function
  // holding both services rather than calling the Users and Groups functions.
  { id: 'Bulk', entry: 'lambda/handlers/bulk.ts', resources: ['Bulk', '.search'], withChildren: false },
  // The audit trail, read only: the entries are written by the functions above, with each change.
  { id: 'Audit', entry: 'lambda/handlers/audit.ts', resources: ['Audit'], withChildren: false, tableAccess: 'read' },
];

/** The path below which SCIM is served, on API Gateway and locally (defined where requests are read). */
export { SCIM_BASE_PATH } from '../http/request';

/**
 * The path below which every directory but the deployment's own is served: `{directory}` is
 * API Gateway's path parameter, read into ScimRequest.directory (lambda/http/directories.ts).
 */
export const DIRECTORY_BASE_PATH = '/{directory}/scim/v2';
