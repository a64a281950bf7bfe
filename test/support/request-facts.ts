import type { RequestFacts } from '../../lambda/service/resource-service';

/** The request facts of a service called directly in a test: a named token, a request id, a client. */
export const TEST_REQUEST: RequestFacts = {
  actor: { tokenId: 'tok-test', name: 'test-suite' },
  requestId: 'test-request',
  directory: 'default',
  userAgent: 'scim-endpoint tests',
  sourceAddress: '192.0.2.10',
};
