/**
 * The unit tier (`npm run test:unit`): the SCIM core, the services over the in-memory store
 * and the store contract on it. No DynamoDB Local (no Java), no browser, no network: Node's
 * plain environment, not test/support/dynamo-environment.ts. `npm test` runs this tier and all the others.
 */
const common = require('./test/support/jest-common');

module.exports = {
  ...common,
  testMatch: ['**/*.test.ts'],
  roots: ['<rootDir>/test/unit'],
  testEnvironment: 'node',
};
