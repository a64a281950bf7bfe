/** The parts of the SCIM core the peer comparison calls, bundled as a function ships them. */
export { compileFilter } from '../../lambda/scim/filter/evaluate';
export { parseFilter } from '../../lambda/scim/filter/parser';
export { applyPatch, normalizePatchRequest } from '../../lambda/scim/patch';
export { userResourceType } from '../../lambda/scim/schema/registry';
