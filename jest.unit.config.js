/**
 * The unit tier (`npm run test:unit`): the SCIM core, the services over the in-memory store
 * and the store contract on it. No DynamoDB Local (no Java), no browser, no network: Node's
 * plain environment, not jest.config.js's test/support/dynamo-environment.ts. `npm test` runs this tier and all the others.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/unit'],
  testEnvironment: 'node',
};
