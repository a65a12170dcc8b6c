import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Awaits a rejection and returns it as a ConfigError (failing the test otherwise). */
export async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}
