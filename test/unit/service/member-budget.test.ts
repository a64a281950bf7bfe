import { randomUUID } from 'node:crypto';
import { maxMembersReturned, MEMBER_BYTES_BUDGET, memberBytes } from '../../../lambda/service/group-service';
import { MAX_RESOURCE_BYTES } from '../../../lambda/store/resource-table';

/**
 * Members carry `$ref`, derived from the Base URL: the largest group one response lists is
 * what Lambda's 6 MB holds at that URL's length (docs/groups.md gives the figures).
 */
describe('the members one response carries', () => {
  const LAMBDA_LIMIT = 6 * 1024 * 1024;

  it.each([
    ['the local endpoint', 'http://127.0.0.1:8080/scim/v2'],
    ['an execute-api stage', 'https://abcdefghij.execute-api.eu-west-1.amazonaws.com/prod/scim/v2'],
    ['a long custom domain', `https://${'x'.repeat(200)}.example.com/scim/v2`],
  ])('at %s: the ceiling fits in Lambda\'s response with the largest group document, one more does not fit the budget', (_name, baseUrl) => {
    const ceiling = maxMembersReturned(baseUrl);
    const members = Array.from({ length: ceiling }, () => {
      const id = randomUUID();
      return { value: id, $ref: `${baseUrl}/Users/${id}`, type: 'User' };
    });
    const body = JSON.stringify({ displayName: 'd'.repeat(MAX_RESOURCE_BYTES), members });
    // As Lambda carries it: the body a JSON string inside the response JSON.
    const response = JSON.stringify({ statusCode: 200, headers: { 'Content-Type': 'application/scim+json', ETag: 'W/"1"' }, body });
    expect(Buffer.byteLength(response)).toBeLessThan(LAMBDA_LIMIT);
    expect(JSON.stringify(JSON.stringify(members)).length).toBeLessThanOrEqual(MEMBER_BYTES_BUDGET);
    expect((ceiling + 1) * memberBytes(baseUrl)).toBeGreaterThan(MEMBER_BYTES_BUDGET);
  });

  it('shrinks as the Base URL grows', () => {
    expect(maxMembersReturned('http://127.0.0.1:8080/scim/v2')).toBeGreaterThan(maxMembersReturned(`https://${'x'.repeat(200)}.example.com/scim/v2`));
  });
});
