/**
 * NDJSON / JSON Lines as an incremental reader: one JSON object per line. A line that does not
 * parse, or holds something other than an object, is a read reject; the run goes on.
 */
import type { SourceData } from '../../core/record.js';
import { LineSplitter } from './line-splitter.js';
import { truncateRaw, type FormatReader, type ParsedItem, type ReaderContext } from './reader.js';
import { lineTooLong } from './record-size.js';

export class NdjsonReader implements FormatReader {
  private readonly lines: LineSplitter;

  constructor(where: ReaderContext, maxChars: number) {
    this.lines = new LineSplitter(maxChars, lineTooLong(where));
  }

  get line(): number {
    return this.lines.line;
  }

  /** A line past the cap found after good lines of the same piece: those go out first, it is thrown next. */
  private failure: Error | undefined;

  write(text: string): ParsedItem[] {
    return this.collect((items) => this.lines.write(text, (line, t) => take(line, t, items)));
  }

  end(): ParsedItem[] {
    return this.collect((items) => this.lines.end((line, t) => take(line, t, items)));
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

function take(line: number, text: string, items: ParsedItem[]): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    items.push({ kind: 'reject', line, reason: `line is not valid JSON: ${why}`, raw: truncateRaw(text) });
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    items.push({ kind: 'reject', line, reason: `line holds ${what}, not a JSON object`, raw: truncateRaw(text) });
    return;
  }
  items.push({ kind: 'record', line, data: value as SourceData });
}
