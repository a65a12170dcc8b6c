/**
 * The delta state: per lookup key, the hash of the item Propel last acknowledged, when, its
 * Propel id and the run that sent it; per key Propel refused, how many runs in a row it did and
 * why. One SQLite file per pipeline and target (better-sqlite3: synchronous calls, so a lookup
 * costs a few microseconds and no promise).
 *
 * Durability: WAL with synchronous=NORMAL. A committed transaction survives a kill -9 (it is in
 * the WAL, handed to the kernel); a power loss may take the last few, which only means those
 * items are sent again next time, never that one is skipped: a hash is recorded only after
 * Propel acknowledged it (src/delta/delta-recorder.ts).
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { nativeModuleFailure } from './sqlite-native.js';
import { INDEX_CHARS } from './record-index.js';
import { ERR, ConfigError } from '../core/errors.js';
import type { TargetIdentity } from './target-identity.js';

/**
 * The file format this build reads and writes (PRAGMA user_version). 2 added `items.raw`, the
 * acknowledged record's text hash: a format-1 state is upgraded in place when a run opens it, and
 * a build that knows only format 1 refuses a format-2 state, as it must: it would acknowledge
 * items without their text hash, leaving an older one behind that a later night would trust.
 */
export const STATE_FORMAT = 2;

const SCHEMA = `
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE runs (
  n INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL UNIQUE,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT,
  full INTEGER NOT NULL DEFAULT 0,
  counts TEXT
);
CREATE TABLE items (
  key TEXT PRIMARY KEY,
  sent_key TEXT,
  hash TEXT,
  acked_at INTEGER,
  propel_id,
  acked_run INTEGER,
  seen_run INTEGER NOT NULL DEFAULT 0,
  passed_run INTEGER NOT NULL DEFAULT 0,
  refusals INTEGER NOT NULL DEFAULT 0,
  refused_run INTEGER,
  last_reason TEXT,
  raw TEXT
) WITHOUT ROWID;
CREATE INDEX items_failing ON items (refusals) WHERE refusals > 0;
`;

/** What the filter learns about a key. */
export interface Visit {
  /** The acknowledged item's hash; null when Propel never acknowledged this key. */
  readonly hash: string | null;
  /** Epoch ms of the acknowledgement. */
  readonly ackedAt: number | null;
  /** A version of this key was already sent in this run (an earlier attempt of it acknowledged or refused it). */
  readonly passed: boolean;
  /** The acknowledged record's text hash (core/known-bytes.ts), where its format gives one. */
  readonly raw: string | null;
}

export interface Acknowledged {
  readonly key: string;
  readonly sentKey: string;
  readonly hash: string;
  /** The record's text hash, where its format gives one. */
  readonly raw?: string | undefined;
  readonly id: number | string | null;
}

export interface Refused {
  readonly key: string;
  readonly sentKey: string;
  readonly reason: string;
}

/** One key as `propel-etl state --key` shows it. */
export interface StateRow {
  readonly key: string;
  readonly sentKey: string | null;
  readonly hash: string | null;
  readonly ackedAt: number | null;
  readonly propelId: number | string | null;
  readonly ackedRunId: string | null;
  readonly refusals: number;
  readonly lastReason: string | null;
}

export interface StateRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly status: string | null;
  readonly full: boolean;
  readonly counts: unknown;
}

export interface StateInfo {
  readonly format: number;
  readonly pipeline: string;
  readonly resource: string;
  readonly target: string;
  readonly baseUrl: string;
  readonly clientId: string;
  readonly createdAt: string;
  /** Keys Propel acknowledged. */
  readonly acknowledged: number;
  /** Keys Propel refused in their latest run. */
  readonly failing: number;
  readonly runs: number;
  readonly lastRun: StateRun | undefined;
}

export interface Orphan {
  readonly key: string;
  readonly sentKey: string | null;
  readonly id: number | string | null;
  readonly ackedAt: number;
}

export interface OpenStateOptions {
  readonly identity: TargetIdentity;
  readonly pipeline: string;
  readonly resource: string;
  /** Read only (a dry run): nothing in the file changes; what a run would note goes to temporary tables. */
  readonly readonly?: boolean;
}

interface ItemRow {
  key: string;
  sent_key: string | null;
  hash: string | null;
  acked_at: number | null;
  propel_id: number | string | null;
  acked_run: number | null;
  refusals: number;
  last_reason: string | null;
}

type Statement = Database.Statement<unknown[], unknown>;

export class DeltaState {
  private run = 0;
  private readonly visitStmt: Statement;
  private readonly seenStmt: Statement;
  private readonly textsStmt: Statement;
  /** Undefined read only: nothing is recorded. */
  private readonly ackStmt: Statement | undefined;
  private readonly refuseStmt: Statement | undefined;
  /** The texts the run's index held and its input did not (findOrphans): only those of the file's keys with a text hash can be orphans. */
  private unseenNoted = false;
  /** temp.orphans holds this run's orphans (findOrphans). */
  private orphansFound = false;
  /**
   * better-sqlite3's transaction wrapper, made once: `db.transaction(fn)` builds four wrapper
   * functions and their properties at every call (4-6 µs, against 0.5 µs for a call of one made
   * once), and a run opens one per chunk of lookups and one per settled batch. It runs the
   * function it is given.
   */
  private readonly inOneTransaction: <T>(fn: () => T) => T;

  private constructor(
    private readonly db: Database.Database,
    /** The file, or `:memory:`. */
    readonly path: string,
    private readonly readonly: boolean,
    /** The file has `items.raw` (format 2; a format-1 file opened read only has not). */
    private readonly hasRaw: boolean,
  ) {
    // The typings of `transaction` drop a generic function's type parameter; it returns what `fn` returns.
    this.inOneTransaction = db.transaction((fn: () => unknown) => fn()) as <T>(fn: () => T) => T;
    db.exec('CREATE TEMP TABLE unseen (p TEXT PRIMARY KEY) WITHOUT ROWID');
    db.exec('CREATE TEMP TABLE orphans (key TEXT PRIMARY KEY) WITHOUT ROWID');
    // What the run learns as it reads (keys its input holds, texts to keep) waits in temporary
    // tables, outside the file and its WAL: a chunk's lookup then writes nothing, and a run writes
    // them once, at its end (keepMarks), in one statement each.
    db.exec('CREATE TEMP TABLE seen (key TEXT PRIMARY KEY) WITHOUT ROWID');
    db.exec('CREATE TEMP TABLE texts (key TEXT PRIMARY KEY, raw TEXT NOT NULL) WITHOUT ROWID');
    this.seenStmt = db.prepare('INSERT OR IGNORE INTO temp.seen (key) SELECT value FROM json_each(@keys)');
    this.textsStmt = db.prepare('INSERT OR REPLACE INTO temp.texts (key, raw) SELECT value ->> 0, value ->> 1 FROM json_each(@rows)');
    const raw = hasRaw ? 'raw' : 'NULL AS raw';
    // Passed: a version went to the API in an earlier attempt of this run (a resume); this attempt's own are in memory (PassedKeys).
    const passed = readonly ? '0' : '(passed_run = @run OR acked_run = @run OR refused_run = @run)';
    this.visitStmt = db.prepare(`SELECT key, hash, acked_at AS ackedAt, ${passed} AS passed, ${raw} FROM main.items WHERE key IN (SELECT value FROM json_each(@keys))`);
    if (readonly) {
      this.ackStmt = undefined;
      this.refuseStmt = undefined;
      return;
    }
    // A settled batch's acknowledgements in one statement: SQLite reads them from one JSON text, not one binding per item.
    this.ackStmt = db.prepare(`INSERT INTO items (key, sent_key, hash, raw, acked_at, propel_id, acked_run, seen_run)
      SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, @now, j.value ->> 4, @run, @run FROM json_each(@acks) AS j WHERE true
      ON CONFLICT (key) DO UPDATE SET sent_key = excluded.sent_key, hash = excluded.hash, raw = excluded.raw, acked_at = excluded.acked_at, propel_id = excluded.propel_id,
        acked_run = excluded.acked_run, seen_run = excluded.seen_run, refusals = 0, refused_run = NULL, last_reason = NULL`);
    // A key refused twice in one run (a later version, a deferred pass) is one run in the streak.
    this.refuseStmt = db.prepare(`INSERT INTO items (key, sent_key, seen_run, refusals, refused_run, last_reason) VALUES (@key, @sentKey, @run, 1, @run, @reason)
      ON CONFLICT (key) DO UPDATE SET sent_key = coalesce(sent_key, @sentKey), refusals = CASE WHEN refused_run = @run THEN refusals ELSE refusals + 1 END, refused_run = @run, last_reason = @reason`);
  }

  /**
   * Opens (or creates) the state in `path`; `:memory:` for a target that forgets everything at the
   * end of the process. A file that is not a state, one from a newer propel-etl, or one made for
   * another target or pipeline is a ConfigError (exit 2): nothing is sent on a state in doubt.
   */
  static open(path: string, opts: OpenStateOptions): DeltaState {
    const memory = path === ':memory:';
    if (!memory && opts.readonly !== true) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Created owner-only before SQLite opens it; its -wal and -shm files take the same mode.
      closeSync(openSync(path, 'a', 0o600));
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: opts.readonly === true && !memory, fileMustExist: !memory });
      if (opts.readonly !== true) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      const format = db.pragma('user_version', { simple: true }) as number;
      if (format > STATE_FORMAT) {
        throw new ConfigError(`the delta state was written by a newer propel-etl (state format ${format}, this one reads ${STATE_FORMAT}); upgrade, or run with --state DIR elsewhere`, { file: path }, ERR.STATE_VERSION);
      }
      if (format === 0) {
        const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
        if (tables > 0) throw notAState(path);
        if (opts.readonly === true && !memory) throw notAState(path);
        create(db, opts);
      }
      checkOwner(db, path, opts);
      const readonly = opts.readonly === true && !memory;
      if (format === 1 && !readonly) upgradeFrom1(db);
      return new DeltaState(db, path, readonly, format !== 1 || !readonly);
    } catch (e) {
      db?.close();
      if (e instanceof ConfigError) throw e;
      const native = nativeModuleFailure(e);
      if (native !== undefined) throw native;
      if (e instanceof Database.SqliteError || (e instanceof Error && /database|malformed|not a/i.test(e.message))) throw notAState(path, e);
      throw e;
    }
  }

  /** Opens a state to look at (`propel-etl state`): read only, whatever target it names; damaged or newer is a ConfigError. */
  static inspect(path: string): DeltaState {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      const format = db.pragma('user_version', { simple: true }) as number;
      if (format > STATE_FORMAT) {
        throw new ConfigError(`the delta state was written by a newer propel-etl (state format ${format}, this one reads ${STATE_FORMAT})`, { file: path }, ERR.STATE_VERSION);
      }
      if (format === 0) throw notAState(path);
      db.prepare('SELECT count(*) FROM meta').get();
      return new DeltaState(db, path, true, format >= 2);
    } catch (e) {
      db?.close();
      if (e instanceof ConfigError) throw e;
      throw nativeModuleFailure(e) ?? notAState(path, e);
    }
  }

  /** Marks the start of a run (a resumed run continues its number); returns nothing, later calls use it. */
  beginRun(runId: string, startedAt: Date, full: boolean): void {
    if (this.readonly) return;
    this.db.prepare('INSERT OR IGNORE INTO runs (run_id, started_at, full) VALUES (?, ?, ?)').run(runId, startedAt.toISOString(), full ? 1 : 0);
    this.run = this.db.prepare('SELECT n FROM runs WHERE run_id = ?').pluck().get(runId) as number;
  }

  /** The inputs the last completed run over a whole export read (their names), or undefined before the first. */
  lastInputs(): string[] | undefined {
    const v = this.db.prepare("SELECT v FROM meta WHERE k = 'lastInputs'").pluck().get() as string | undefined;
    return v === undefined ? undefined : (JSON.parse(v) as string[]);
  }

  /** Kept for the next run to compare its inputs with (a part file gone missing). */
  setLastInputs(names: readonly string[]): void {
    if (this.readonly) return;
    this.db.prepare("INSERT INTO meta (k, v) VALUES ('lastInputs', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v").run(JSON.stringify(names));
  }

  finishRun(status: string, endedAt: Date, counts: unknown): void {
    if (this.readonly) return;
    this.db.prepare('UPDATE runs SET ended_at = ?, status = ?, counts = ? WHERE n = ?').run(endedAt.toISOString(), status, JSON.stringify(counts), this.run);
  }

  /** Looks keys up (those the state knows come back), noting that this run's input holds them. */
  visitAll(keys: readonly string[]): Map<string, Visit> {
    const found = new Map<string, Visit>();
    if (keys.length === 0) return found;
    const params = this.readonly ? { keys: JSON.stringify(keys) } : { keys: JSON.stringify(keys), run: this.run };
    this.seenStmt.run({ keys: params.keys });
    for (const row of this.visitStmt.all(params) as { key: string; hash: string | null; ackedAt: number | null; passed: number; raw: string | null }[]) {
      found.set(row.key, { hash: row.hash, ackedAt: row.ackedAt, passed: row.passed === 1, raw: row.raw });
    }
    return found;
  }

  /** One key (tests, tools); the filter looks up a chunk at a time. */
  visit(key: string): Visit | undefined {
    return this.visitAll([key]).get(key);
  }

  /**
   * Keys whose record was unchanged by its item but not by its text (quoting, another mapping, a
   * new header order): their text hash now, so the next night knows them by their text again.
   * Kept at the end of the run (keepMarks).
   */
  refreshTexts(rows: readonly (readonly [key: string, raw: string])[]): void {
    if (rows.length > 0) this.textsStmt.run({ rows: JSON.stringify(rows) });
  }

  /**
   * At the end of a run, whatever its end: the keys its input held into `seen_run` (a resumed
   * attempt, which does not read again what was settled, still knows them), and the texts it
   * learned into `raw`, except for a key acknowledged in this run, whose text came with it.
   * Nothing in a read-only state.
   */
  keepMarks(): void {
    if (this.readonly) return;
    this.transaction(() => {
      for (const sql of KEEP_MARKS) this.db.prepare(sql).run({ run: this.run });
    });
  }

  /** Whether the file holds any key (none: a first night, with nothing to look up) and any Propel acknowledged: no pass over the file. */
  counts(): { any: boolean; acknowledged: boolean } {
    const [any, acknowledged] = this.db.prepare('SELECT EXISTS (SELECT 1 FROM items), EXISTS (SELECT 1 FROM items WHERE hash IS NOT NULL)').raw(true).get() as [number, number];
    return { any: any === 1, acknowledged: acknowledged === 1 };
  }

  /** Keys Propel acknowledged in any run (one pass over the file): what a threshold's percentage is of. */
  countAcknowledged(): number {
    return this.db.prepare('SELECT count(hash) FROM items').pluck().get() as number;
  }

  /**
   * The text hashes of every acknowledged item that has one, each cut to INDEX_CHARS characters
   * and given back to back in pages: a million rows become twenty strings rather than a million
   * arrays and strings to collect.
   */
  textPages(): string[] {
    if (!this.hasRaw) return [];
    const page = this.db
      .prepare(`SELECT group_concat(p, ''), max(key) FROM (SELECT substr(raw, 1, ${INDEX_CHARS}) AS p, key FROM items WHERE hash IS NOT NULL AND raw IS NOT NULL AND key > ? ORDER BY key LIMIT 50000)`)
      .raw(true);
    const pages: string[] = [];
    for (let after = ''; ; ) {
      const [joined, last] = page.get(after) as [string | null, string | null];
      if (joined === null || last === null) return pages;
      pages.push(joined);
      after = last;
    }
  }

  /** The same, row by row with each acknowledgement's time (a pipeline with refreshAfter). */
  *textsWithAckedAt(): Generator<[prefix: string, ackedAt: number | null]> {
    if (!this.hasRaw) return;
    yield* this.db.prepare(`SELECT substr(raw, 1, ${INDEX_CHARS}), acked_at FROM items WHERE hash IS NOT NULL AND raw IS NOT NULL`).raw(true).iterate() as Iterable<[string, number | null]>;
  }

  /**
   * After the whole input was read: the orphans, found once and kept for the counts, the sample
   * and orphans.ndjson. `unseen`: the first INDEX_CHARS characters of the texts the run's
   * RecordIndex held and its input did not; an acknowledged key with a text hash is then an
   * orphan only if its text is among these and no record of its key was looked up either.
   */
  findOrphans(unseen?: Iterable<string>): void {
    this.transaction(() => {
      this.db.exec('DELETE FROM temp.unseen');
      if (unseen !== undefined) {
        const insert = this.db.prepare('INSERT OR IGNORE INTO temp.unseen (p) SELECT value FROM json_each(?)');
        let part: string[] = [];
        for (const p of unseen) {
          part.push(p);
          if (part.length === 10_000) {
            insert.run(JSON.stringify(part));
            part = [];
          }
        }
        if (part.length > 0) insert.run(JSON.stringify(part));
        this.unseenNoted = true;
      }
      this.db.exec('DELETE FROM temp.orphans');
      this.db.prepare(`INSERT INTO temp.orphans (key) SELECT key FROM items WHERE ${this.orphanWhere}`).run(this.orphanParams);
    });
    this.orphansFound = true;
  }

  /** Runs `fn` in one transaction: a chunk of lookups or of outcomes costs one commit. */
  transaction<T>(fn: () => T): T {
    return this.inOneTransaction(fn);
  }

  /** What Propel answered for items of this run, after their result lines are on disk. */
  record(acks: readonly Acknowledged[], refusals: readonly Refused[], now: number): void {
    const { ackStmt, refuseStmt } = this;
    if (ackStmt === undefined || refuseStmt === undefined || (acks.length === 0 && refusals.length === 0)) return;
    this.transaction(() => {
      if (acks.length > 0) ackStmt.run({ acks: JSON.stringify(acks.map((a) => [a.key, a.sentKey, a.hash, a.raw ?? null, a.id])), now, run: this.run });
      for (const r of refusals) refuseStmt.run({ key: r.key, sentKey: r.sentKey, reason: r.reason, run: this.run });
    });
  }


  /** Up to `n` keys of countOrphans(), in key order. */
  someOrphans(n: number): string[] {
    this.requireOrphans();
    return this.db.prepare('SELECT coalesce(i.sent_key, i.key) FROM temp.orphans o JOIN items i ON i.key = o.key ORDER BY o.key LIMIT ?').pluck().all(n) as string[];
  }

  countOrphans(): number {
    this.requireOrphans();
    return this.db.prepare('SELECT count(*) FROM temp.orphans').pluck().get() as number;
  }

  private requireOrphans(): void {
    if (!this.orphansFound) this.findOrphans();
  }

  /** Acknowledged keys this run's input did not hold: not looked up (temp.seen, and an earlier attempt's seen_run), nor known by their text. */
  private get orphanWhere(): string {
    const looked = `hash IS NOT NULL AND key NOT IN (SELECT key FROM temp.seen)${this.readonly ? '' : ' AND seen_run <> @run'}`;
    return this.unseenNoted ? `${looked} AND (raw IS NULL OR substr(raw, 1, ${INDEX_CHARS}) IN (SELECT p FROM temp.unseen))` : looked;
  }

  private get orphanParams(): Record<string, number> {
    return this.readonly ? {} : { run: this.run };
  }

  /** Keys Propel acknowledged in an earlier run that this run's input did not hold, in key order. */
  *orphans(): Generator<Orphan> {
    this.requireOrphans();
    const rows = this.db.prepare('SELECT i.key, i.sent_key AS sentKey, i.propel_id AS id, i.acked_at AS ackedAt FROM temp.orphans o JOIN items i ON i.key = o.key ORDER BY o.key').iterate();
    for (const r of rows) yield r as Orphan;
  }

  info(): StateInfo {
    const meta = new Map((this.db.prepare('SELECT k, v FROM meta').all() as { k: string; v: string }[]).map((r) => [r.k, r.v]));
    const count = (where: string): number => this.db.prepare(`SELECT count(*) FROM items WHERE ${where}`).pluck().get() as number;
    const last = this.db.prepare('SELECT run_id AS runId, started_at AS startedAt, ended_at AS endedAt, status, full, counts FROM runs ORDER BY n DESC LIMIT 1').get() as
      | { runId: string; startedAt: string; endedAt: string | null; status: string | null; full: number; counts: string | null }
      | undefined;
    return {
      format: this.db.pragma('user_version', { simple: true }) as number,
      pipeline: meta.get('pipeline') ?? '',
      resource: meta.get('resource') ?? '',
      target: meta.get('target') ?? '',
      baseUrl: meta.get('baseUrl') ?? '',
      clientId: meta.get('clientId') ?? '',
      createdAt: meta.get('createdAt') ?? '',
      acknowledged: count('hash IS NOT NULL'),
      failing: count('refusals > 0'),
      runs: this.db.prepare('SELECT count(*) FROM runs').pluck().get() as number,
      lastRun: last === undefined ? undefined : { ...last, full: last.full === 1, counts: last.counts === null ? null : (JSON.parse(last.counts) as unknown) },
    };
  }

  /** A key as stored; `key` is the identity or the lookup value as sent (a user's sourceId), so several may match. */
  lookup(key: string): StateRow[] {
    const rows = this.db.prepare('SELECT i.*, r.run_id AS acked_run_id FROM items i LEFT JOIN runs r ON r.n = i.acked_run WHERE i.key = ? OR i.sent_key = ? ORDER BY i.key').all(key, key) as (ItemRow & { acked_run_id: string | null })[];
    return rows.map(toRow);
  }

  /** Keys Propel refused in their latest run, most runs in a row first. */
  *failing(): Generator<StateRow> {
    const rows = this.db.prepare('SELECT i.*, r.run_id AS acked_run_id FROM items i LEFT JOIN runs r ON r.n = i.acked_run WHERE i.refusals > 0 ORDER BY i.refusals DESC, i.key').iterate();
    for (const r of rows) yield toRow(r as ItemRow & { acked_run_id: string | null });
  }

  close(): void {
    this.db.close();
  }
}

function toRow(r: ItemRow & { acked_run_id: string | null }): StateRow {
  return { key: r.key, sentKey: r.sent_key, hash: r.hash, ackedAt: r.acked_at, propelId: r.propel_id, ackedRunId: r.acked_run_id, refusals: r.refusals, lastReason: r.last_reason };
}

function create(db: Database.Database, opts: OpenStateOptions): void {
  db.transaction(() => {
    db.exec(SCHEMA);
    const meta = db.prepare('INSERT INTO meta (k, v) VALUES (?, ?)');
    for (const [k, v] of Object.entries({ pipeline: opts.pipeline, resource: opts.resource, target: opts.identity.name, baseUrl: opts.identity.baseUrl, clientId: opts.identity.clientId, createdAt: new Date().toISOString() })) meta.run(k, v);
    db.pragma(`user_version = ${STATE_FORMAT}`);
  })();
}

/**
 * keepMarks' statements. Each is driven by its temporary table and finds each item by its key:
 * an `UPDATE … FROM temp.texts` had SQLite scan every item instead (300 ms at 1M keys).
 */
export const KEEP_MARKS = [
  'UPDATE items SET seen_run = @run WHERE key IN (SELECT key FROM temp.seen)',
  'UPDATE items SET raw = (SELECT t.raw FROM temp.texts AS t WHERE t.key = items.key) WHERE key IN (SELECT key FROM temp.texts) AND acked_run IS NOT @run',
] as const;

/** Format 1 had no text hashes: the column is added (no row is rewritten), and the keys get theirs as they are next acknowledged. */
function upgradeFrom1(db: Database.Database): void {
  db.transaction(() => {
    db.exec('ALTER TABLE items ADD COLUMN raw TEXT');
    db.pragma(`user_version = ${STATE_FORMAT}`);
  })();
}

/** The file names its target; a copy moved into another target's place must not be used. */
function checkOwner(db: Database.Database, path: string, opts: OpenStateOptions): void {
  let meta: Map<string, string>;
  try {
    meta = new Map((db.prepare('SELECT k, v FROM meta').all() as { k: string; v: string }[]).map((r) => [r.k, r.v]));
  } catch (e) {
    throw notAState(path, e);
  }
  const id = opts.identity;
  if (meta.get('baseUrl') !== id.baseUrl || meta.get('clientId') !== id.clientId) {
    throw new ConfigError(`the delta state belongs to another target (${meta.get('baseUrl') ?? '?'}, client ${meta.get('clientId') ?? '?'}), not to ${id.baseUrl}, client ${id.clientId}; it is never applied to another tenant`, { file: path }, ERR.STATE_TARGET);
  }
  if (meta.get('pipeline') !== opts.pipeline) {
    throw new ConfigError(`the delta state belongs to pipeline "${meta.get('pipeline') ?? '?'}", not "${opts.pipeline}"`, { file: path }, ERR.STATE_TARGET);
  }
}

function notAState(path: string, cause?: unknown): ConfigError {
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  return new ConfigError(`the delta state is damaged or not a propel-etl state${why}; move it away (the next run then sends everything) or drop it with propel-etl state <pipeline> --forget`, { file: path }, ERR.STATE_CORRUPT);
}
