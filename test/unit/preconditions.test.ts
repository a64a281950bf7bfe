import { ScimError } from '../../lambda/scim/errors';
import { checkIfMatch, matchesIfNoneMatch } from '../../lambda/service/preconditions';
import { etagOf } from '../../lambda/scim/resource';
import fixture from '../fixtures/http/preconditions.json';

describe('ETag preconditions (RFC 7644 §3.14), from test/fixtures/http/preconditions.json', () => {
  test.each(fixture.ifMatch.map((c) => [c.header, c] as const))('If-Match %j', (_, c) => {
    if (c.passes) {
      expect(() => checkIfMatch(c.header, fixture.version)).not.toThrow();
    } else {
      expect(() => checkIfMatch(c.header, fixture.version)).toThrow(ScimError);
      expect(() => checkIfMatch(c.header, fixture.version)).toThrow(expect.objectContaining({ status: 412, scimType: 'invalidVers' }));
    }
  });

  test.each(fixture.ifNoneMatch.map((c) => [c.header, c] as const))('If-None-Match %j', (_, c) => {
    expect(matchesIfNoneMatch(c.header, etagOf(fixture.version))).toBe(c.notModified);
  });
});
