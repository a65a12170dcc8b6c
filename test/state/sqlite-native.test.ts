/**
 * better-sqlite3's native module built for another Node, or never built (issue 26): one line
 * saying what to run, exit 2 before anything is sent, never "internal error". The never-built
 * case runs for real: the CLI from an install whose better-sqlite3 has no build/ folder, as npm
 * leaves it when its install script is blocked. Node's message for another version cannot be
 * produced here without a second Node's build, so it is matched as Node words it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERR } from '../../src/core/errors.js';
import { nativeModuleFailure } from '../../src/state/sqlite-native.js';
import { usersWorkspace } from '../e2e/delivery-helpers.js';
import { tempDir } from '../support/files.js';
import { spawnSync } from 'node:child_process';

const ROOT = resolve(import.meta.dirname, '../..');

/** This repository as an install whose better-sqlite3 was never built: links to everything else. */
async function installWithoutBuild(): Promise<string> {
  const at = await tempDir('unbuilt-install-');
  for (const name of await readdir(ROOT)) {
    if (name !== 'node_modules' && name !== '.git') await symlink(join(ROOT, name), join(at, name));
  }
  await mkdir(join(at, 'node_modules'));
  for (const name of await readdir(join(ROOT, 'node_modules'))) {
    if (name === 'better-sqlite3') continue;
    await symlink(join(ROOT, 'node_modules', name), join(at, 'node_modules', name));
  }
  await cp(join(ROOT, 'node_modules', 'better-sqlite3'), join(at, 'node_modules', 'better-sqlite3'), {
    recursive: true,
    filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
  });
  return at;
}

describe("better-sqlite3's native module", { timeout: 60_000 }, () => {
  it('never built: a delta run is exit 2 with one line saying what to run, and nothing is sent', async () => {
    const install = await installWithoutBuild();
    const dir = await usersWorkspace([{ no: 'N1' }], { batchSize: 5, concurrency: 1, delta: {} });
    const r = spawnSync(
      process.execPath,
      ['--preserve-symlinks', '--preserve-symlinks-main', join(install, 'dist', 'cli', 'main.js'), 'run', 'users.yaml', '--target', 'local', '--out', 'out'],
      { cwd: dir, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(
      'propel-etl: the delta state cannot be opened: better-sqlite3\'s native module was never built (its install script did not run): run `npm rebuild better-sqlite3`, and install with --allow-scripts=better-sqlite3',
    );
    expect(r.stderr).not.toMatch(/internal error|Could not locate/);
    const results = join(dir, 'out', 'results.ndjson');
    expect(existsSync(results) ? readFileSync(results, 'utf8') : '').toBe('');
  });

  it('built for another Node: names this Node and the command, for the error as Node words it', () => {
    const e = Object.assign(
      new Error(
        "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 137. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).",
      ),
      { code: 'ERR_DLOPEN_FAILED' },
    );
    const failure = nativeModuleFailure(e);
    expect([failure?.code, failure?.exitCode, failure?.message]).toEqual([
      ERR.STATE_NATIVE_MODULE.code,
      2,
      `the delta state cannot be opened: better-sqlite3's native module was built for another Node version than this Node ${process.version}: run \`npm rebuild better-sqlite3\` with this Node (or npm ci)`,
    ]);
    expect(nativeModuleFailure(new Error('SQLITE_CORRUPT: database disk image is malformed'))).toBeUndefined();
  });
});
