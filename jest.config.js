/**
 * Jest, `npm test`: every test on DynamoDB Local, and the HTTP suites that read nothing but
 * HTTP once more on the in-memory store that `SCIM_STORE=memory npm start` serves, so that the
 * two stores are held to the same answers over HTTP as the store contract suite holds them
 * below it (test/store/contract.ts).
 */
const common = require('./test/support/jest-common');

/** The HTTP suites that look only at HTTP answers (no table reads), run on both stores. */
const ON_BOTH_STORES = ['bulk', 'etags', 'iic-profile', 'jumpcloud', 'lists'];

module.exports = {
  // A global option: jest reads it here, not inside a project (where it falls back to 5 s).
  testTimeout: common.testTimeout,
  projects: [
    {
      ...common,
      displayName: 'dynamodb',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      // Node's environment with a DynamoDB Local of each file's own, started on first use.
      testEnvironment: '<rootDir>/test/support/dynamo-environment.ts',
    },
    {
      ...common,
      displayName: 'memory store',
      roots: ['<rootDir>/test/http'],
      testMatch: ON_BOTH_STORES.map((name) => `<rootDir>/test/http/${name}.test.ts`),
      testEnvironment: 'node',
      // startTestServer (test/support/server.ts) serves the in-memory store.
      setupFiles: ['<rootDir>/test/support/on-memory-store.ts'],
    },
  ],
};
