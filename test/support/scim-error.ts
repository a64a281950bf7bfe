import { ScimError } from '../../lambda/scim/errors';

/** Runs `run` and returns the ScimError it throws; anything else (or nothing) fails the test. */
export function thrown(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw new Error(`expected a ScimError, got ${String(error)}`);
  }
  throw new Error('expected a ScimError, but nothing was thrown');
}
