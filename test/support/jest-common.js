/**
 * What every jest configuration of the project shares: TypeScript through ts-jest (transpile
 * only; `npm run typecheck` does the type check), and the test timeout (a global option:
 * jest.config.js sets it beside its projects).
 */
module.exports = {
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
};
