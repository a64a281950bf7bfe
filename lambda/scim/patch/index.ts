/** PATCH (RFC 7644 §3.5.2): normalise a client's PatchOp message, then apply it to a resource. */
export { applyPatch } from './apply';
export { MAX_PATCH_OPERATIONS, PATCH_OP_SCHEMA, normalizePatchRequest } from './dialects';
export type { DetachedChange, PatchOperation, PatchOptions, PatchResult } from './types';
