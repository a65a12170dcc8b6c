import { readFile, unlink } from 'node:fs/promises';
import type { BreakPrefix } from './break-prefix.js';
import type { InputIdentity } from './input-identity.js';
import { PrivateFile } from '../core/private-file.js';
import { addSettled, emptySettled, type SettledCounts } from '../outcomes/index.js';
import { IntervalSet, toRanges, type Range } from '../core/interval-set.js';
import { ERR, ConfigError } from '../core/errors.js';

export const JOURNAL_FILE = 'checkpoint.ndjson';

/** The journal's first line: what run this folder belongs to. */
export interface JournalHeader {
  readonly t: 'start';
  readonly runId: string;
  readonly pipeline: string;
  readonly resource: string;
  readonly startedAt: string;
  /** What the inputs were when the run started (absent in checkpoints written before it was kept). */
  readonly inputs?: readonly InputIdentity[];
  /** Its settled entries say where results and rejects ended (absent in checkpoints written before). */
  readonly ends?: true;
}

/** The lengths of results.ndjson and rejects.ndjson once a settled entry's lines were on disk. */
export interface OutputEnds {
  readonly results: number;
  readonly rejects: number;
}

/** One line per flush of the sink: the record ordinals settled since the last line, and the counts they added. */
interface JournalEntry {
  readonly t: 'settled';
  readonly done: Range[];
  readonly delta: SettledCounts;
  readonly ends?: OutputEnds;
}

/** A resumed attempt accepted these inputs (one changed after a break): later resumes compare with them. */
interface InputsEntry {
  readonly t: 'inputs';
  readonly inputs: readonly InputIdentity[];
}

/** The run stopped at a broken input: the hash of its lines before the broken record (see break-prefix.ts). */
interface BreakEntry {
  readonly t: 'break';
  readonly file: string;
  readonly prefix: BreakPrefix;
}

/** What an earlier attempt left: which records are settled and the counts so far. */
export interface JournalState {
  readonly header: JournalHeader;
  readonly done: IntervalSet;
  readonly counts: SettledCounts;
  readonly attempts: number;
  /** The inputs the last attempt started on (undefined in checkpoints written before they were kept). */
  readonly inputs: readonly InputIdentity[] | undefined;
  /** Inputs that broke an attempt since then, by file, with the prefix a repaired file must keep. */
  readonly breaks: ReadonlyMap<string, BreakPrefix>;
  /**
   * Where results and rejects ended at the last settled entry: a resume cuts them back to it, so
   * lines written after it (a kill -9, a full disk) are not there twice once their records are
   * sent again. Undefined for a checkpoint written before this was kept.
   */
  readonly ends: OutputEnds | undefined;
}

/**
 * The checkpoint: an append-only NDJSON file. A record's ordinal is written only after its
 * result or reject line is on disk (the sink syncs those first), and each entry is synced in
 * turn, so after a crash, a kill -9 or a power loss every ordinal in the journal has its line,
 * and a resume resends only what the journal lacks. A torn last line is ignored: its records are
 * simply sent again.
 */
export class Journal {
  private constructor(private readonly file: PrivateFile) {}

  static async create(path: string, header: JournalHeader): Promise<Journal> {
    const file = await PrivateFile.open(path, 'w');
    try {
      await file.write(JSON.stringify(header) + '\n');
    } catch (e) {
      // No header, no run: an empty checkpoint would make the folder look like a run that cannot be resumed.
      await file.close();
      await unlink(path).catch(() => undefined);
      throw e;
    }
    return new Journal(file);
  }

  static async append(path: string, attempt: number, inputs?: readonly InputIdentity[]): Promise<Journal> {
    const file = await PrivateFile.open(path, 'a');
    // A torn line from a crash would glue onto the next one; start on a fresh line.
    const inputsLine = inputs !== undefined ? `${JSON.stringify({ t: 'inputs', inputs } satisfies InputsEntry)}\n` : '';
    await file.write(`\n${JSON.stringify({ t: 'resume', attempt, at: new Date().toISOString() })}\n${inputsLine}`);
    return new Journal(file);
  }

  /** The run is stopping at a broken input: what a repaired copy of it must still begin with. */
  async noteBreak(fileName: string, prefix: BreakPrefix): Promise<void> {
    await this.file.write(JSON.stringify({ t: 'break', file: fileName, prefix } satisfies BreakEntry) + '\n');
    await this.file.sync();
  }

  async settle(seqs: readonly number[], delta: SettledCounts, ends: OutputEnds): Promise<void> {
    if (seqs.length === 0) return;
    const entry: JournalEntry = { t: 'settled', done: toRanges(seqs), delta, ends };
    await this.file.write(JSON.stringify(entry) + '\n');
    await this.file.sync();
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

export async function readJournal(path: string): Promise<JournalState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(
      `no checkpoint to resume from (${path} is missing); run with --fresh to start over`,
      { file: path },
      ERR.NO_CHECKPOINT,
    );
  }
  let header: JournalHeader | undefined;
  const done = new IntervalSet();
  const counts = emptySettled();
  let attempts = 1;
  let inputs: readonly InputIdentity[] | undefined;
  const breaks = new Map<string, BreakPrefix>();
  let ends: OutputEnds | undefined;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      continue; // a line torn by a crash: its records were not settled for certain
    }
    if (typeof obj !== 'object' || obj === null) continue;
    const rec = obj as { t?: unknown };
    if (rec.t === 'start') {
      header = obj as JournalHeader;
      inputs = header.inputs;
      if (header.ends === true) ends = { results: 0, rejects: 0 };
    } else if (rec.t === 'resume') attempts++;
    else if (rec.t === 'inputs') {
      inputs = (obj as InputsEntry).inputs;
      breaks.clear();
    } else if (rec.t === 'break') breaks.set((obj as BreakEntry).file, (obj as BreakEntry).prefix);
    else if (rec.t === 'settled') {
      const e = obj as JournalEntry;
      for (const [lo, hi] of e.done) done.addRange(lo, hi);
      addSettled(counts, e.delta);
      if (e.ends !== undefined) ends = e.ends;
    }
  }
  if (header === undefined) {
    throw new ConfigError(`${path} is not a propel-etl checkpoint; run with --fresh to start over`, { file: path }, ERR.BAD_CHECKPOINT);
  }
  return { header, done, counts, attempts, inputs, breaks, ends };
}
