import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { InputIdentity } from './input-identity.js';
import { PrivateFile } from '../sink/private-file.js';
import { addSettled, emptySettled, type SettledCounts } from '../outcomes/index.js';
import { IntervalSet, toRanges, type Range } from './interval-set.js';
import { ConfigError } from '../core/errors.js';

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
}

/** One line per flush of the sink: the record ordinals settled since the last line, and the counts they added. */
interface JournalEntry {
  readonly t: 'settled';
  readonly done: Range[];
  readonly delta: SettledCounts;
}

/** What an earlier attempt left: which records are settled and the counts so far. */
export interface JournalState {
  readonly header: JournalHeader;
  readonly done: IntervalSet;
  readonly counts: SettledCounts;
  readonly attempts: number;
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
    await file.write(JSON.stringify(header) + '\n');
    return new Journal(file);
  }

  static async append(path: string, attempt: number): Promise<Journal> {
    const file = await PrivateFile.open(path, 'a');
    // A torn line from a crash would glue onto the next one; start on a fresh line.
    await file.write(`\n${JSON.stringify({ t: 'resume', attempt, at: new Date().toISOString() })}\n`);
    return new Journal(file);
  }

  async settle(seqs: readonly number[], delta: SettledCounts): Promise<void> {
    if (seqs.length === 0) return;
    const entry: JournalEntry = { t: 'settled', done: toRanges(seqs), delta };
    await this.file.write(JSON.stringify(entry) + '\n');
    await this.file.sync();
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** The journal's first line only (the whole journal can be long): undefined when it is not a header. */
export async function readJournalHeader(path: string): Promise<JournalHeader | undefined> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const obj = JSON.parse(line) as { t?: unknown };
      return obj.t === 'start' ? (obj as JournalHeader) : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    lines.close();
  }
}

export async function readJournal(path: string): Promise<JournalState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(`no checkpoint to resume from (${path} is missing); run with --fresh to start over`, { file: path }, 'ETL_NO_CHECKPOINT');
  }
  let header: JournalHeader | undefined;
  const done = new IntervalSet();
  const counts = emptySettled();
  let attempts = 1;
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
    if (rec.t === 'start') header = obj as JournalHeader;
    else if (rec.t === 'resume') attempts++;
    else if (rec.t === 'settled') {
      const e = obj as JournalEntry;
      for (const [lo, hi] of e.done) done.addRange(lo, hi);
      addSettled(counts, e.delta);
    }
  }
  if (header === undefined) {
    throw new ConfigError(`${path} is not a propel-etl checkpoint; run with --fresh to start over`, { file: path }, 'ETL_BAD_CHECKPOINT');
  }
  return { header, done, counts, attempts };
}
