/** PATCH (RFC 7644 §3.5.2): normalise a client's PatchOp message, plan it, apply it to a resource. */
export { applyPatch, applyPlan, planPatch } from './apply';
export { MAX_PATCH_OPERATIONS, PATCH_OP_SCHEMA, normalizePatchRequest } from './dialects';
export type { DetachedChange, PatchOperation, PatchOptions, PatchPlan, PatchResult } from './types';
