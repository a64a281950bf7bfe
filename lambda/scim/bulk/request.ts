import { invalidSyntax, invalidValue, payloadTooLarge } from '../errors';
import type { Json, JsonObject } from '../schema/types';
import { isObject } from '../values';
import { BULK_MAX_OPERATIONS } from './limits';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** One operation of a BulkRequest (RFC 7644 §3.7), as sent; checked when it runs. */
export interface BulkOperation {
  readonly index: number;
  readonly method: string;
  readonly bulkId?: string;
  readonly version?: string;
  readonly path: string;
  readonly data?: Json;
}

/** A BulkRequest: its operations in order and the failOnErrors threshold (undefined: never stop). */
export interface BulkRequest {
  readonly failOnErrors?: number;
  readonly operations: BulkOperation[];
}

/**
 * Reads a BulkRequest body. The envelope must be right (schemas, Operations, failOnErrors),
 * or the whole request is refused; too many operations is 413 (RFC 7644 §3.7.4). Each
 * operation's own mistakes are reported in its own response instead, so one bad operation
 * does not hide what the others did.
 */
export function parseBulkRequest(body: unknown): BulkRequest {
  if (!isObject(body)) throw invalidSyntax('A BulkRequest must be a JSON object.');
  const schemas = member(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase())) {
    throw invalidValue(`"schemas" must contain "${BULK_REQUEST_SCHEMA}".`);
  }
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations)) throw invalidSyntax('"Operations" must be an array.');
  if (operations.length > BULK_MAX_OPERATIONS) {
    throw payloadTooLarge(`The bulk request has ${operations.length} operations; at most ${BULK_MAX_OPERATIONS} are accepted (maxOperations).`);
  }
  const failOnErrors = member(body, 'failOnErrors');
  if (failOnErrors !== undefined && failOnErrors !== null && (typeof failOnErrors !== 'number' || !Number.isInteger(failOnErrors) || failOnErrors < 1)) {
    throw invalidValue('"failOnErrors" must be a positive integer.');
  }
  return {
    failOnErrors: typeof failOnErrors === 'number' ? failOnErrors : undefined,
    operations: operations.map((op, index) => readOperation(op, index)),
  };
}

function readOperation(op: Json, index: number): BulkOperation {
  if (!isObject(op)) return { index, method: '', path: '' };
  const text = (name: string) => {
    const value = member(op, name);
    return typeof value === 'string' ? value : undefined;
  };
  return {
    index,
    method: (text('method') ?? '').toUpperCase(),
    bulkId: text('bulkId'),
    version: text('version'),
    path: text('path') ?? '',
    data: member(op, 'data'),
  };
}

/** A member of an object by name, case-insensitively (RFC 7643 §2.1). */
function member(object: JsonObject, name: string): Json | undefined {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}
