import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A temporary folder for files written by one test file, removed after it. */
export function tempDir(): (name: string, text: string) => string {
  const dir = mkdtempSync(path.join(tmpdir(), 'propel-etl-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, text) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
}

/** Awaits a rejection and returns it as a ConfigError (failing the test otherwise). */
export async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}
