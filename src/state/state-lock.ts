/**
 * One run at a time per pipeline and target: two runs on one state would each send what the
 * other is sending and record answers in an order neither controls. The lock is a file next to
 * the state naming the holder (pid, host, start time); a lock whose process is gone (kill -9,
 * a crash) is taken over with a warning.
 */
import { hostname } from 'node:os';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { ERR, ConfigError } from '../core/errors.js';
import { processAlive } from '../core/process-alive.js';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly runId?: string;
}

export interface StateLock {
  /** Set when a dead run's lock was taken over: what it said. */
  readonly tookOver?: LockHolder;
  release(): Promise<void>;
}

export async function acquireLock(path: string, holder: { startedAt: Date; runId?: string }, isAlive: (pid: number) => boolean = processAlive): Promise<StateLock> {
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: holder.startedAt.toISOString(), ...(holder.runId !== undefined ? { runId: holder.runId } : {}) };
  let tookOver: LockHolder | undefined;
  // Twice at most: once as found, once after removing a dead holder's lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, JSON.stringify(me) + '\n', { flag: 'wx', mode: 0o600 });
      return { ...(tookOver !== undefined ? { tookOver } : {}), release: () => unlink(path).catch(() => undefined) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = await readHolder(path);
    // An unreadable lock younger than a few seconds is one being written by a run starting now.
    if (other === undefined && (await ageMs(path)) < FRESH_LOCK_MS) {
      throw new ConfigError(`another run is starting on this pipeline's delta state for this target (lock ${path})`, { file: path }, ERR.STATE_LOCKED);
    }
    if (other !== undefined && (other.host !== me.host || isAlive(other.pid))) {
      throw new ConfigError(
        `another run holds this pipeline's delta state for this target: pid ${other.pid}${other.host !== me.host ? ` on ${other.host}` : ''}, started ${other.startedAt}${other.runId !== undefined ? ` (run ${other.runId})` : ''}; wait for it, or remove ${path} if that process is gone`,
        { file: path },
        ERR.STATE_LOCKED,
      );
    }
    tookOver = other ?? { pid: 0, host: me.host, startedAt: 'unknown' };
    await unlink(path).catch(() => undefined);
  }
  throw new ConfigError(`could not take the lock ${path}: another run took it at the same moment`, { file: path }, ERR.STATE_LOCKED);
}

const FRESH_LOCK_MS = 5000;

async function ageMs(path: string): Promise<number> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return Infinity;
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string') return v as LockHolder;
  } catch {
    // Torn or empty: a process died while writing it.
  }
  return undefined;
}

