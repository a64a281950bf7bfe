/** What every jest configuration of the project shares: TypeScript through ts-jest (transpile only; `npm run typecheck` does the type check). */
module.exports = {
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
};
