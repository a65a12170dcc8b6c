/**
 * An ordered queue of records waiting for a later pass, bounded in memory: the first
 * `memoryLimit` entries stay in memory, every later one is appended to an NDJSON file in the run
 * folder (mode 0600: entries carry the source record, which may hold personal data). Reading
 * gives the memory part first, then the file, so entries come back in the order they were added.
 *
 * In memory, too, entries are kept serialised: a held record's strings may be slices of a whole
 * input chunk (V8 sliced strings, e.g. from the JSON tokenizer), and a thousand held records
 * would then pin a thousand 128 KB chunks. A JSON string of its own pins nothing.
 */
import { createReadStream } from 'node:fs';
import { open, rm, unlink, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { OutputError } from './errors.js';
import { diskTrouble } from './private-file.js';

/** Where an entry lives: a slot in memory, or a line of the file. */
export type SpillLocator = { readonly mem: number } | { readonly offset: number; readonly length: number };

export interface SpillQueueOptions {
  /** Entries kept in memory before spilling to the file (>= 0). */
  readonly memoryLimit: number;
}

export const DEFAULT_MEMORY_LIMIT = 10_000;

export class SpillQueue<T> {
  private readonly memory: (string | undefined)[] = [];
  /** Pushes run concurrently (one per batch in flight): the first to spill opens the file for all. */
  private opening: Promise<FileHandle> | undefined;
  private fileBytes = 0;
  private spilledCount = 0;

  constructor(
    readonly path: string,
    private readonly opts: SpillQueueOptions = { memoryLimit: DEFAULT_MEMORY_LIMIT },
  ) {
    if (!(Number.isInteger(opts.memoryLimit) && opts.memoryLimit >= 0))
      throw new RangeError(`memoryLimit must be a non-negative integer, got ${opts.memoryLimit}`);
  }

  /** Entries added (including any dropped from memory since). */
  get size(): number {
    return this.memory.length + this.spilledCount;
  }

  /** Entries that went to the file. */
  get spilled(): number {
    return this.spilledCount;
  }

  async push(entry: T): Promise<SpillLocator> {
    if (this.memory.length < this.opts.memoryLimit && this.spilledCount === 0) {
      this.memory.push(JSON.stringify(entry));
      return { mem: this.memory.length - 1 };
    }
    const line = Buffer.from(JSON.stringify(entry) + '\n');
    // Offset and count are taken before any await, so concurrent pushes keep their order.
    const offset = this.fileBytes;
    this.fileBytes += line.length;
    this.spilledCount++;
    this.opening ??= this.openFile();
    const fh = await this.opening;
    // Whole or a stop: a short write (a disk filling up) is written on, and a full disk is one line naming the file.
    let done = 0;
    try {
      while (done < line.length) {
        const { bytesWritten } = await fh.write(line, done, line.length - done, offset + done);
        if (bytesWritten === 0) throw Object.assign(new Error('the disk took no byte'), { code: 'EIO' });
        done += bytesWritten;
      }
    } catch (e) {
      const why = diskTrouble(e);
      if (why === undefined) throw e;
      throw new OutputError(`could not be written whole: ${why}; make room, then run again with --resume`, { file: this.path });
    }
    return { offset, length: line.length };
  }

  private async openFile(): Promise<FileHandle> {
    // 'w+': a file left by a crashed attempt is stale (resume re-reads the source), never appended to.
    // Made by this run alone: whatever stands at the path (a planted link) is removed, and the file created exclusively.
    await unlink(this.path).catch(() => undefined);
    const fh = await open(this.path, 'wx+', 0o600);
    await fh.chmod(0o600);
    return fh;
  }

  /** One entry, by the locator push returned. */
  async read(at: SpillLocator): Promise<T | undefined> {
    if ('mem' in at) {
      const held = this.memory[at.mem];
      return held === undefined ? undefined : (JSON.parse(held) as T);
    }
    if (this.opening === undefined) return undefined;
    const fh = await this.opening;
    const buf = Buffer.alloc(at.length);
    await fh.read(buf, 0, at.length, at.offset);
    return JSON.parse(buf.toString('utf8')) as T;
  }

  /** Frees a memory slot whose entry is no longer wanted (a file line is skipped by the reader instead). */
  forget(at: SpillLocator): void {
    if ('mem' in at) this.memory[at.mem] = undefined;
  }

  /** Every entry still held, in the order added, each with its locator. */
  async *entries(): AsyncGenerator<{ readonly entry: T; readonly at: SpillLocator }> {
    for (let i = 0; i < this.memory.length; i++) {
      const held = this.memory[i];
      if (held !== undefined) yield { entry: JSON.parse(held) as T, at: { mem: i } };
    }
    if (this.opening === undefined) return;
    await this.opening;
    // Line by line: the file may be far larger than memory, that is why it exists.
    const lines = createInterface({
      input: createReadStream(this.path, { start: 0, end: Math.max(0, this.fileBytes - 1) }),
      crlfDelay: Infinity,
    });
    let offset = 0;
    for await (const line of lines) {
      const length = Buffer.byteLength(line) + 1;
      if (line.length > 0) yield { entry: JSON.parse(line) as T, at: { offset, length } };
      offset += length;
    }
  }

  /** Closes and deletes the file. */
  async dispose(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    this.memory.length = 0;
    if (opening !== undefined) {
      const fh = await opening;
      await fh.close();
      await rm(this.path, { force: true });
    }
  }
}
