/**
 * NDJSON / JSON Lines as an incremental reader: one JSON object per line. A line that does not
 * parse, or holds something other than an object, is a read reject; the run goes on.
 */
import type { Reread, SourceData } from '../../core/record.js';
import { textHash, type KnownBytes } from '../../core/known-bytes.js';
import { LineSplitter } from './line-splitter.js';
import { truncateRaw, type FormatReader, type ParsedItem, type ReaderContext } from './reader.js';
import { lineTooLong } from './record-size.js';

/** Given `known` (a delta night), each line is hashed first, and a line the state knows is a `known` item, never parsed. */
export class NdjsonReader implements FormatReader, Reread {
  private readonly lines: LineSplitter;
  private readonly take: (line: number, text: string, items: ParsedItem[]) => void;

  constructor(where: ReaderContext, maxChars: number, known?: KnownBytes) {
    this.lines = new LineSplitter(maxChars, lineTooLong(where));
    if (known === undefined) {
      this.take = (line, text, items) => items.push(parseLine(line, text));
    } else {
      const prefix = `${known.fingerprint}\nndjson\n`;
      this.take = (line, text, items) => {
        const hash = textHash(prefix, text);
        const slot = known.take(hash);
        items.push(slot >= 0 ? { kind: 'known', line, slot, textHash: hash, text, from: this } : parseLine(line, text, hash));
      };
    }
  }

  /** A known line's record after all (the delta filter, when the night still sends it). */
  reread(text: string, line: number, textHash: string): ParsedItem & { kind: 'record' | 'reject' } {
    return parseLine(line, text, textHash);
  }

  get line(): number {
    return this.lines.line;
  }

  /** A line past the cap found after good lines of the same piece: those go out first, it is thrown next. */
  private failure: Error | undefined;

  write(text: string): ParsedItem[] {
    return this.collect((items) => this.lines.write(text, (line, t) => this.take(line, t, items)));
  }

  end(): ParsedItem[] {
    return this.collect((items) => this.lines.end((line, t) => this.take(line, t, items)));
  }

  finish(): void {
    // A broken line is a reject, never a failure; only a line past the cap stops the input.
    if (this.failure !== undefined) throw this.failure;
  }

  private collect(fill: (items: ParsedItem[]) => void): ParsedItem[] {
    if (this.failure !== undefined) throw this.failure;
    const items: ParsedItem[] = [];
    try {
      fill(items);
    } catch (e) {
      if (items.length === 0 || !(e instanceof Error)) throw e;
      this.failure = e;
    }
    return items;
  }
}

function parseLine(line: number, text: string, hash?: string): ParsedItem & { kind: 'record' | 'reject' } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { kind: 'reject', line, reason: `line is not valid JSON: ${why}`, raw: truncateRaw(text) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { kind: 'reject', line, reason: `line holds ${what}, not a JSON object`, raw: truncateRaw(text) };
  }
  return hash !== undefined
    ? { kind: 'record', line, data: value as SourceData, textHash: hash }
    : { kind: 'record', line, data: value as SourceData };
}
