import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { DeltaState, STATE_FORMAT } from '../../src/state/delta-state.js';
import { acquireLock } from '../../src/state/state-lock.js';
import { statePath } from '../../src/state/state-location.js';
import type { TargetIdentity } from '../../src/state/target-identity.js';

const TENANT: TargetIdentity = { name: 'propel', baseUrl: 'https://a.example/v2', clientId: 'c1', persistent: true };
const OTHER: TargetIdentity = { ...TENANT, clientId: 'c2' };
const owner = (identity = TENANT) => ({ identity, pipeline: 'users', resource: 'users' });

async function freshPath(): Promise<string> {
  const path = statePath(await mkdtemp(join(tmpdir(), 'delta-state-')), 'users', TENANT);
  await mkdir(dirname(path), { recursive: true });
  return path;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('delta state (SQLite)', () => {
  it('records hashes only from answers; a refusal streak counts runs, not attempts, and an acknowledgement ends it', async () => {
    const path = await freshPath();
    const s = DeltaState.open(path, owner());
    s.beginRun('run-1', new Date(0), false);
    expect(s.visit('A')).toBeUndefined();
    s.passOn('A');
    s.passOn('B');
    expect(s.visit('A')).toEqual({ hash: null, ackedAt: null, passed: true });
    s.record([{ key: 'A', sentKey: 'a', hash: 'hA', id: 7 }], [{ key: 'B', sentKey: 'b', reason: 'parent missing' }, { key: 'B', sentKey: 'b', reason: 'parent missing' }], 1_000);
    s.finishRun('completed', new Date(1), {});
    s.close();

    const again = DeltaState.open(path, owner());
    again.beginRun('run-2', new Date(2), false);
    expect(again.visit('A')).toEqual({ hash: 'hA', ackedAt: 1_000, passed: false });
    again.record([], [{ key: 'B', sentKey: 'b', reason: 'still missing' }], 2_000);
    expect(again.lookup('b')).toMatchObject([{ key: 'B', hash: null, refusals: 2, lastReason: 'still missing' }]);
    expect(again.lookup('a')).toMatchObject([{ key: 'A', sentKey: 'a', hash: 'hA', propelId: 7, ackedAt: 1_000, ackedRunId: 'run-1', refusals: 0 }]);
    expect([...again.failing()].map((r) => [r.key, r.refusals])).toEqual([['B', 2]]);
    again.record([{ key: 'B', sentKey: 'b', hash: 'hB', id: 8 }], [], 3_000);
    expect([...again.failing()]).toEqual([]);
    expect(again.info()).toMatchObject({ format: STATE_FORMAT, target: 'propel', baseUrl: TENANT.baseUrl, clientId: 'c1', acknowledged: 2, failing: 0, runs: 2, lastRun: { runId: 'run-2' } });
    again.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('orphans: acknowledged keys this run did not visit', async () => {
    const path = await freshPath();
    const s = DeltaState.open(path, owner());
    s.beginRun('r1', new Date(0), false);
    s.record(['A', 'B', 'C'].map((k) => ({ key: k, sentKey: k, hash: 'h', id: k })), [], 5);
    s.beginRun('r2', new Date(1), false);
    s.visit('A');
    s.passOn('C');
    s.passOn('NEW');
    expect([...s.orphans()]).toEqual([{ key: 'B', sentKey: 'B', id: 'B', ackedAt: 5 }]);
    expect(s.countOrphans()).toBe(1);
    s.close();
  });

  it('read only (a dry run): lookups and what passed go nowhere near the file', async () => {
    const path = await freshPath();
    const s = DeltaState.open(path, owner());
    s.beginRun('r1', new Date(0), false);
    s.record([{ key: 'A', sentKey: 'A', hash: 'h', id: 1 }], [], 5);
    s.close();
    const before = await readFile(path);
    const ro = DeltaState.open(path, { ...owner(), readonly: true });
    ro.beginRun('dry', new Date(0), false);
    ro.transaction(() => {
      expect(ro.visit('A')).toEqual({ hash: 'h', ackedAt: 5, passed: false });
      ro.passOn('A');
      expect(ro.visit('A')?.passed).toBe(true);
    });
    ro.record([{ key: 'B', sentKey: 'B', hash: 'h', id: 2 }], [], 6);
    ro.close();
    expect((await readFile(path)).equals(before)).toBe(true);
  });

  it('refuses a file that is not a state, one from a newer format, and one of another tenant or pipeline', async () => {
    const path = await freshPath();
    DeltaState.open(path, owner()).close();
    expect(errorOf(() => DeltaState.open(path, owner(OTHER)))).toMatchObject({ code: 'ETL_STATE_TARGET', exitCode: 2 });
    expect(errorOf(() => DeltaState.open(path, { ...owner(), pipeline: 'other' }))).toMatchObject({ code: 'ETL_STATE_TARGET' });

    const db = new Database(path);
    db.pragma(`user_version = ${STATE_FORMAT + 1}`);
    db.close();
    const newer = errorOf(() => DeltaState.open(path, owner()));
    expect(newer).toMatchObject({ code: 'ETL_STATE_VERSION', exitCode: 2 });
    expect(newer.describe()).toMatch(/newer propel-etl \(state format 2, this one reads 1\)/);

    const junk = await freshPath();
    await writeFile(junk, 'this is not SQLite, just text that happens to be here\n'.repeat(200));
    expect(errorOf(() => DeltaState.open(junk, owner()))).toMatchObject({ code: 'ETL_STATE_CORRUPT', exitCode: 2 });
    expect(errorOf(() => DeltaState.inspect(junk)).describe()).not.toMatch(/\n/);
  });

  it('the lock: a live holder is named and refused; a dead one is taken over', async () => {
    const lockFile = `${await freshPath()}.lock`;
    const held = await acquireLock(lockFile, { startedAt: new Date(0), runId: 'first' });
    const refused = await acquireLock(lockFile, { startedAt: new Date(1) }).then(() => undefined, (e: unknown) => e);
    expect(refused).toMatchObject({ code: 'ETL_STATE_LOCKED', exitCode: 2 });
    expect((refused as ConfigError).message).toContain(`pid ${process.pid}`);
    expect((refused as ConfigError).message).toContain('started 1970-01-01T00:00:00.000Z');
    // The same file, but its process gone.
    const taken = await acquireLock(lockFile, { startedAt: new Date(2) }, () => false);
    expect(taken.tookOver).toMatchObject({ pid: process.pid, runId: 'first' });
    await taken.release();
    await held.release();
    const after = await acquireLock(lockFile, { startedAt: new Date(3) });
    expect(after.tookOver).toBeUndefined();
    await after.release();
  });
});
