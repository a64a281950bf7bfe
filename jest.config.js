/** Jest: TypeScript through ts-jest (transpile only; `npm run typecheck` does the type check). */
module.exports = {
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Node's environment with a DynamoDB Local of each file's own, started on first use.
  testEnvironment: '<rootDir>/test/support/dynamo-environment.ts',
  testTimeout: 30000,
};
