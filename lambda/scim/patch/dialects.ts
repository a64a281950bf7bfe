import { invalidPath, invalidSyntax, invalidValue, noTarget, tooMany } from '../errors';
import type { Json, JsonObject } from '../schema/types';
import type { PatchOperation } from './types';

/**
 * The tolerant edge of PATCH: validates the PatchOp message (RFC 7644 §3.5.2) and turns
 * each client's dialect into one canonical `PatchOperation` list. Every leniency below names
 * the client that needs it; its fixture is in test/fixtures/patch/dialects.json.
 *
 * Value-level dialects are left to `applyPatch`, which knows the schema:
 * - a one-element array for a single-valued attribute is unwrapped;
 * - Microsoft Entra ID's string booleans ("True"/"False") are coerced for boolean attributes;
 * - `"$ref": null` inside Entra's member objects is dropped (RFC 7643 §2.5: null is unassigned).
 */

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The most operations one PATCH may carry; advertised as a limit of this server. */
export const MAX_PATCH_OPERATIONS = 1000;

const OPS = ['add', 'remove', 'replace'] as const;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a member of a message case-insensitively: Microsoft asks servers not to match
 * structural elements case-sensitively (Entra ID, CLIENTS.md §3.1). An exact match wins.
 */
function member(obj: JsonObject, name: string): Json | undefined {
  if (Object.hasOwn(obj, name)) return obj[name];
  const wanted = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : obj[key];
}

/** Validates a PATCH request body and returns its operations in canonical form. */
export function normalizePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax('The PATCH request body must be a JSON object (RFC 7644 §3.5.2).');
  checkSchemas(member(body, 'schemas'));

  const operations = member(body, 'Operations');
  if (operations === undefined || operations === null) {
    throw invalidSyntax('The PATCH request body must carry an "Operations" array (RFC 7644 §3.5.2).');
  }
  if (!Array.isArray(operations)) throw invalidSyntax('"Operations" must be an array of PATCH operations.');
  // Microsoft's SCIM Validator sends an empty list; RFC 7644 §3.5.2 asks for "one or more",
  // so it is refused with a 400 that says why, never a 5xx (CLIENTS.md §3.1, §5 item 3).
  if (operations.length === 0) {
    throw invalidValue('"Operations" is empty: a PATCH request must carry at least one operation (RFC 7644 §3.5.2).');
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw tooMany(
      `A PATCH request may carry at most ${MAX_PATCH_OPERATIONS} operations; this one has ${operations.length}.`,
    );
  }
  return operations.map((raw, index) => normalizeOperation(raw, index));
}

function checkSchemas(schemas: Json | undefined): void {
  // RFC 7644 §3.5.2 requires the PatchOp URN; URNs are compared case-insensitively (RFC 8141).
  const wanted = PATCH_OP_SCHEMA.toLowerCase();
  const ok = Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.trim().toLowerCase() === wanted);
  if (!ok) throw invalidSyntax(`"schemas" must contain "${PATCH_OP_SCHEMA}" (RFC 7644 §3.5.2).`);
}

function normalizeOperation(raw: Json, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) throw invalidSyntax(`${where} must be a JSON object with an "op" member.`);

  // Entra ID sends "Add", "Replace", "Remove" (CLIENTS.md §3.1); RFC 7644 §3.5.2 spells them
  // in lower case. Entra also adds a "name" member ("addMember"), which is ignored.
  const rawOp = member(raw, 'op');
  if (typeof rawOp !== 'string') throw invalidSyntax(`${where} must have an "op" of "add", "remove" or "replace".`);
  const op = OPS.find((o) => o === rawOp.trim().toLowerCase());
  if (!op) {
    throw invalidSyntax(`${where} has the op "${rawOp}"; only "add", "remove" and "replace" exist (RFC 7644 §3.5.2).`);
  }

  const path = normalizePath(member(raw, 'path'), where);
  const value = member(raw, 'value');

  if (op === 'remove') {
    // RFC 7644 §3.5.2.2: a remove without a path fails with noTarget.
    if (path === undefined) throw noTarget(`${where}: "remove" needs a "path" (RFC 7644 §3.5.2.2).`);
    // Entra ID (default mode) and JumpCloud remove members with `path: "members"` plus a
    // value array (CLIENTS.md §2.6, §3.1); the value is kept for applyPatch to match.
    return value === undefined || value === null ? { op, path } : { op, path, value };
  }
  // RFC 7644 §3.5.2.1 and §3.5.2.3: add and replace must carry a value. `null` is a value
  // (RFC 7643 §2.5 unassigned) and is judged by applyPatch.
  if (value === undefined) throw invalidValue(`${where}: "${op}" needs a "value" (RFC 7644 §3.5.2).`);
  return path === undefined ? { op, value } : { op, path, value };
}

function normalizePath(raw: Json | undefined, where: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw invalidPath(`${where}: "path" must be a string.`);
  // Trimmed: stray spaces around a path are a formatting accident, not a different attribute.
  // An empty path is treated as absent (the resource itself), as for a path-less op.
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}
