import { applyPatch, normalizePatchRequest, PATCH_OP_SCHEMA } from '../../../lambda/scim/patch';
import { resolveTarget, TARGET_CACHE_LIMITS } from '../../../lambda/scim/patch/path-target';
import { groupResourceType, userResourceType } from '../../../lambda/scim/schema/registry';
import type { JsonObject } from '../../../lambda/scim/schema/types';
import { thrown } from '../../support/scim-error';

/** The cache of resolved PATCH paths (lambda/scim/patch/path-target.ts). */

const operations = (ops: unknown[]) => normalizePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops });

const user = (): JsonObject => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'bjensen',
  emails: [
    { value: 'b@example.com', type: 'work', primary: true },
    { value: 'b@home.example', type: 'home' },
  ],
});

describe('resolveTarget cache', () => {
  test('a path resolves once per resource type, to a frozen target with a frozen filter', () => {
    const path = 'emails[type eq "work" and primary eq true].value';
    const target = resolveTarget(userResourceType, path);
    expect(resolveTarget(userResourceType, path)).toBe(target);
    expect(Object.isFrozen(target)).toBe(true);
    expect(Object.isFrozen(target.filter)).toBe(true);
    expect(target.filter?.kind === 'and' && Object.isFrozen(target.filter.left)).toBe(true);
    // Another resource type resolves the same text on its own (and here refuses it).
    expect(thrown(() => resolveTarget(groupResourceType, path)).scimType).toBe('invalidPath');
  });

  test('a cached path is not changed by the PATCH requests that use it', () => {
    const path = 'emails[type eq "work"].value';
    const before = structuredClone(resolveTarget(userResourceType, path));
    const first = applyPatch(userResourceType, user(), operations([{ op: 'replace', path, value: 'one@example.com' }])).resource;
    const second = applyPatch(userResourceType, user(), operations([{ op: 'remove', path }])).resource;
    expect(structuredClone(resolveTarget(userResourceType, path))).toStrictEqual(before);
    expect((first.emails as JsonObject[])[0]).toStrictEqual({ value: 'one@example.com', type: 'work', primary: true });
    expect((second.emails as JsonObject[])[0]).toStrictEqual({ type: 'work', primary: true });
  });

  test('a path that fails is not kept, and fails the same way each time', () => {
    for (let i = 0; i < 2; i++) {
      const error = thrown(() => resolveTarget(userResourceType, 'emails[type eq "work"'));
      expect(error.scimType).toBe('invalidPath');
    }
  });

  test('the cache is bounded: the oldest path is dropped when it is full', () => {
    const first = resolveTarget(userResourceType, 'emails[value eq "first"]');
    for (let i = 0; i < TARGET_CACHE_LIMITS.maxEntries; i++) resolveTarget(userResourceType, `emails[value eq "v${i}"]`);
    const again = resolveTarget(userResourceType, 'emails[value eq "first"]');
    expect(again).not.toBe(first);
    expect(again).toStrictEqual(first);
    expect(resolveTarget(userResourceType, 'emails[value eq "first"]')).toBe(again);
  });

  test('a path longer than the limit is resolved each time, not kept', () => {
    const long = `emails[value eq "${'x'.repeat(TARGET_CACHE_LIMITS.maxPathLength)}"]`;
    expect(resolveTarget(userResourceType, long)).not.toBe(resolveTarget(userResourceType, long));
  });
});
