import { createHash } from 'node:crypto';
import { documentChanges, MAX_RECORDED_VALUE_BYTES } from '../../../lambda/scim/audit-changes';
import { groupResourceType, userResourceType } from '../../../lambda/scim/schema/registry';
import type { JsonObject } from '../../../lambda/scim/schema/types';
import cases from '../../fixtures/audit/changes.json';

const TYPES = { User: userResourceType, Group: groupResourceType } as const;

/** What an audit entry records of a change: fixture cases, each naming the rule or the client it shows. */
describe('documentChanges', () => {
  test.each(cases.map((c) => [c.case, c] as const))('%s', (_name, c) => {
    const rt = TYPES[c.resourceType as keyof typeof TYPES];
    const changes = documentChanges(rt, c.before as JsonObject | undefined, c.after as JsonObject | undefined);
    expect(changes).toEqual(c.changes);
  });

  test('fixture cases are named apart', () => {
    expect(new Set(cases.map((c) => c.case)).size).toBe(cases.length);
  });

  test(`a value above ${MAX_RECORDED_VALUE_BYTES} bytes is recorded by its length and SHA-256, never whole`, () => {
    const big = 'x'.repeat(MAX_RECORDED_VALUE_BYTES);
    const [change] = documentChanges(userResourceType, { userName: 'a', title: 'short' }, { userName: 'a', title: big });
    const json = JSON.stringify(big);
    expect(change).toEqual({
      path: 'title',
      before: 'short',
      afterDigest: { bytes: Buffer.byteLength(json), sha256: createHash('sha256').update(json).digest('base64url') },
    });
    expect(JSON.stringify(change)).not.toContain(big);
    // Exactly at the limit (the value's JSON, quotes included), it is recorded whole.
    const atLimit = 'y'.repeat(MAX_RECORDED_VALUE_BYTES - 2);
    expect(documentChanges(userResourceType, { userName: 'a' }, { userName: 'a', title: atLimit })).toEqual([{ path: 'title', after: atLimit }]);
  });

  test('the largest user a store keeps (300,000 bytes of attributes) is recorded in a few kilobytes', () => {
    const emails = Array.from({ length: 5_650 }, (_, i) => ({ value: `user.${String(i).padStart(5, '0')}@example.com`, type: 'work' }));
    const before = { userName: 'big@example.com', emails, title: 't'.repeat(20_000), displayName: 'Big' } as JsonObject;
    const after = { ...before, emails: emails.slice(1), title: 'u'.repeat(20_000), displayName: 'Bigger' } as JsonObject;
    expect(Buffer.byteLength(JSON.stringify(after))).toBeGreaterThan(290_000);
    expect(Buffer.byteLength(JSON.stringify(after))).toBeLessThanOrEqual(300_000);
    const changes = documentChanges(userResourceType, before, after);
    expect(changes.map((c) => c.path)).toEqual(['displayName', 'title', 'emails']);
    expect(Buffer.byteLength(JSON.stringify(changes))).toBeLessThan(2_000);
  });
});
