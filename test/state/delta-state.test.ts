import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { DeltaState, KEEP_MARKS, STATE_FORMAT } from '../../src/state/delta-state.js';
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
    s.record([{ key: 'A', sentKey: 'a', hash: 'hA', raw: 'tA', id: 7 }], [{ key: 'B', sentKey: 'b', reason: 'parent missing' }, { key: 'B', sentKey: 'b', reason: 'parent missing' }], 1_000);
    // Acknowledged or refused in this run: a version was sent, as a resumed attempt must know.
    expect(s.visit('A')).toEqual({ hash: 'hA', ackedAt: 1_000, passed: true, raw: 'tA' });
    expect(s.visit('B')).toEqual({ hash: null, ackedAt: null, passed: true, raw: null });
    s.finishRun('completed', new Date(1), {});
    s.close();

    const again = DeltaState.open(path, owner());
    again.beginRun('run-2', new Date(2), false);
    expect(again.visit('A')).toEqual({ hash: 'hA', ackedAt: 1_000, passed: false, raw: 'tA' });
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
    s.visit('C');
    s.visit('NEW');
    expect([...s.orphans()]).toEqual([{ key: 'B', sentKey: 'B', id: 'B', ackedAt: 5 }]);
    expect(s.countOrphans()).toBe(1);
    s.close();
  });

  it('orphans of a night that knew records by their text: a key is one only if neither its text nor its key was seen', async () => {
    const path = await freshPath();
    const s = DeltaState.open(path, owner());
    s.beginRun('r1', new Date(0), false);
    const text = (k: string): string => `${k}-text-hash-0123456789`;
    s.record(['A', 'B', 'C', 'D'].map((k) => ({ key: k, sentKey: k, hash: 'h', raw: text(k), id: k })), [], 5);
    s.record([{ key: 'E', sentKey: 'E', hash: 'h', id: 'E' }], [], 5);
    s.beginRun('r2', new Date(1), false);
    expect(s.counts()).toEqual({ any: true, acknowledged: true });
    expect(s.countAcknowledged()).toBe(5);
    expect(s.textPages()).toEqual([['A', 'B', 'C', 'D'].map((k) => text(k).slice(0, 15)).join('')]);
    expect([...s.textsWithAckedAt()]).toEqual(['A', 'B', 'C', 'D'].map((k) => [text(k).slice(0, 15), 5]));
    // A's text was seen (not listed), B's key was looked up though its text changed, C and D were not in the input; E has no text.
    s.visit('B');
    s.findOrphans([text('B'), text('C'), text('D')].map((t) => t.slice(0, 15)));
    expect([...s.orphans()].map((o) => o.key)).toEqual(['C', 'D', 'E']);
    expect(s.countOrphans()).toBe(3);
    expect(s.someOrphans(2)).toEqual(['C', 'D']);
    // B's item was unchanged: its new text is kept for the next night, at the run's end; not so a
    // key acknowledged in this run (a later version of it was sent), whose text came with it.
    s.refreshTexts([
      ['B', 'B-new-text'],
      ['F', 'F-unchanged-text'],
    ]);
    s.record([{ key: 'F', sentKey: 'F', hash: 'h', raw: 'F-sent-text', id: 'F' }], [], 6);
    expect(s.visit('B')?.raw).toBe(text('B'));
    s.keepMarks();
    expect(s.visit('B')?.raw).toBe('B-new-text');
    expect(s.visit('F')?.raw).toBe('F-sent-text');
    // The keys this run looked up are kept too: a resumed attempt, which does not read them again, knows them.
    s.close();
    const resumed = DeltaState.open(path, owner());
    resumed.beginRun('r2', new Date(1), false);
    resumed.findOrphans([text('C'), text('D')].map((t) => t.slice(0, 15)));
    expect([...resumed.orphans()].map((o) => o.key)).toEqual(['C', 'D', 'E']);
    resumed.close();
  });

  it('the marks kept at the end of a run find each item by its key, never by a pass over every item (regression: 300 ms at 1M keys)', async () => {
    const path = await freshPath();
    DeltaState.open(path, owner()).close();
    const db = new Database(path);
    db.exec('CREATE TEMP TABLE seen (key TEXT PRIMARY KEY) WITHOUT ROWID; CREATE TEMP TABLE texts (key TEXT PRIMARY KEY, raw TEXT NOT NULL) WITHOUT ROWID');
    for (const sql of KEEP_MARKS) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ run: 1 }) as { detail: string }[]).map((r) => r.detail);
      expect(plan.join('; '), sql).toMatch(/SEARCH items USING PRIMARY KEY/);
      expect(plan.join('; '), sql).not.toMatch(/SCAN items/);
    }
    db.close();
  });

  it('the text hashes come in pages, each of them once, however many there are', async () => {
    const s = DeltaState.open(await freshPath(), owner());
    s.beginRun('r1', new Date(0), false);
    const n = 50_001;
    const raw = (i: number): string => `t${String(i).padStart(14, '0')}-rest`;
    const acks = Array.from({ length: n }, (_, i) => ({ key: `K${String(i).padStart(6, '0')}`, sentKey: 'k', hash: 'h', raw: raw(i), id: i }));
    for (let i = 0; i < n; i += 5000) s.record(acks.slice(i, i + 5000), [], 5);
    const pages = s.textPages();
    expect(pages.length).toBe(2);
    const all = pages.join('');
    expect(all.length).toBe(n * 15);
    expect(all.slice(0, 15)).toBe(raw(0).slice(0, 15));
    expect(all.slice(-15)).toBe(raw(n - 1).slice(0, 15));
    s.close();
  });

  it('upgrades a format-1 state in place; read only, a format-1 state is used without text hashes', async () => {
    const path = await freshPath();
    DeltaState.open(path, owner()).close();
    // As format 1 left it: no raw column.
    const db = new Database(path);
    db.exec('CREATE TABLE items_old AS SELECT key, sent_key, hash, acked_at, propel_id, acked_run, seen_run, passed_run, refusals, refused_run, last_reason FROM items; DROP TABLE items;');
    db.exec('CREATE TABLE items (key TEXT PRIMARY KEY, sent_key TEXT, hash TEXT, acked_at INTEGER, propel_id, acked_run INTEGER, seen_run INTEGER NOT NULL DEFAULT 0, passed_run INTEGER NOT NULL DEFAULT 0, refusals INTEGER NOT NULL DEFAULT 0, refused_run INTEGER, last_reason TEXT) WITHOUT ROWID; DROP TABLE items_old;');
    db.prepare("INSERT INTO items (key, hash, acked_at) VALUES ('A', 'h', 5)").run();
    db.pragma('user_version = 1');
    db.close();

    const ro = DeltaState.open(path, { ...owner(), readonly: true });
    ro.beginRun('dry', new Date(0), false);
    expect(ro.counts()).toEqual({ any: true, acknowledged: true });
    expect(ro.textPages()).toEqual([]);
    expect([...ro.textsWithAckedAt()]).toEqual([]);
    expect(ro.visit('A')).toEqual({ hash: 'h', ackedAt: 5, passed: false, raw: null });
    ro.close();

    const s = DeltaState.open(path, owner());
    expect(s.info().format).toBe(STATE_FORMAT);
    s.beginRun('r', new Date(0), false);
    expect(s.visit('A')).toEqual({ hash: 'h', ackedAt: 5, passed: false, raw: null });
    s.record([{ key: 'A', sentKey: 'A', hash: 'h2', raw: 'text-hash-of-A-0000', id: 1 }], [], 6);
    expect(s.textPages()).toEqual(['text-hash-of-A-']);
    s.close();
  });

  it('a transaction gives back what its function returns, undoes all of it on a throw, and nests; one wrapper serves every call (regression: one per chunk, ~5 µs each)', async () => {
    const path = await freshPath();
    const s = DeltaState.open(path, owner());
    s.beginRun('r1', new Date(0), false);
    const made = vi.spyOn(Database.prototype, 'transaction');
    try {
      expect(s.transaction(() => 42)).toBe(42);
      expect(() =>
        s.transaction(() => {
          s.record([{ key: 'A', sentKey: 'A', hash: 'h', id: 1 }], [], 5);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(s.visit('A')).toBeUndefined();
      // Inside another transaction a throw undoes only the inner one (a savepoint).
      s.transaction(() => {
        s.record([{ key: 'B', sentKey: 'B', hash: 'h', id: 2 }], [], 5);
        expect(() =>
          s.transaction(() => {
            s.record([{ key: 'C', sentKey: 'C', hash: 'h', id: 3 }], [], 5);
            throw new Error('inner');
          }),
        ).toThrow('inner');
      });
      expect(s.visit('B')?.hash).toBe('h');
      expect(s.visit('C')).toBeUndefined();
      for (let i = 0; i < 100; i++) s.transaction(() => s.visitAll([`k${i}`]));
      expect(made).not.toHaveBeenCalled();
    } finally {
      made.mockRestore();
      s.close();
    }
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
      expect(ro.visit('A')).toEqual({ hash: 'h', ackedAt: 5, passed: false, raw: null });
    });
    ro.record([{ key: 'B', sentKey: 'B', hash: 'h', id: 2 }], [], 6);
    ro.refreshTexts([['A', 'some-text-hash']]);
    ro.findOrphans(['some-text-hash-']);
    expect(ro.countOrphans()).toBe(0);
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
    expect(newer.describe()).toContain(`newer propel-etl (state format ${STATE_FORMAT + 1}, this one reads ${STATE_FORMAT})`);

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
