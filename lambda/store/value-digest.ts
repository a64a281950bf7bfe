import { createHash } from 'node:crypto';
import type { ValueDigest } from './types';

/** The length (bytes of its UTF-8 JSON) and SHA-256 (base64url) of a value too large to record whole. */
export function digestOf(value: unknown): ValueDigest {
  const json = JSON.stringify(value) ?? 'null';
  return { bytes: Buffer.byteLength(json, 'utf8'), sha256: createHash('sha256').update(json, 'utf8').digest('base64url') };
}
