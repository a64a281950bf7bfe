/**
 * The unit tier (`npm run test:unit`): the SCIM core, the services over the in-memory store
 * and the store contract on it. No DynamoDB Local (no Java), no browser, no network: the
 * global setup of jest.config.js is left out. `npm test` runs this tier and all the others.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/unit'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
