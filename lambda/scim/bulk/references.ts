import type { Json } from '../schema/types';
import { isObject } from '../values';

/** `bulkId:<id>` (RFC 7644 §3.7.2): a reference to a resource created in the same request. */
// No whitespace in a bulkId: a sentence that merely starts with "bulkId:" is data, not a reference.
const REFERENCE = /^bulkId:(\S+)$/;

/** The bulkIds an operation refers to, in its path and anywhere in its data. */
export function referencedBulkIds(path: string, data: Json | undefined): Set<string> {
  const found = new Set<string>();
  for (const segment of path.split('/')) {
    const match = REFERENCE.exec(segment);
    if (match) found.add(match[1]);
  }
  const visit = (value: Json | undefined): void => {
    if (typeof value === 'string') {
      const match = REFERENCE.exec(value);
      if (match) found.add(match[1]);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isObject(value)) Object.values(value).forEach(visit);
  };
  visit(data);
  return found;
}

/** The path with each `bulkId:x` segment replaced by the id created for x. */
export function resolvePath(path: string, ids: ReadonlyMap<string, string>): string {
  return path
    .split('/')
    .map((segment) => {
      const match = REFERENCE.exec(segment);
      return match && ids.has(match[1]) ? ids.get(match[1])! : segment;
    })
    .join('/');
}

/**
 * The data with every string `bulkId:x` replaced by the id created for x; this covers
 * `members[].value` of groups as well as any other reference attribute (e.g. manager.value).
 */
export function resolveData(value: Json | undefined, ids: ReadonlyMap<string, string>): Json | undefined {
  if (typeof value === 'string') {
    const match = REFERENCE.exec(value);
    return match && ids.has(match[1]) ? ids.get(match[1])! : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveData(v, ids) as Json);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveData(v, ids) as Json]));
  return value;
}
