/**
 * NDJSON / JSON Lines as an incremental reader: one JSON object per line. A line that does not
 * parse, or holds something other than an object, is a read reject; the run goes on.
 */
import type { SourceData } from '../../core/record.js';
import { LineSplitter } from './line-splitter.js';
import { truncateRaw, type FormatReader, type ParsedItem } from './reader.js';

export class NdjsonReader implements FormatReader {
  private readonly lines = new LineSplitter();

  get line(): number {
    return this.lines.line;
  }

  write(text: string): ParsedItem[] {
    const items: ParsedItem[] = [];
    this.lines.write(text, (line, t) => take(line, t, items));
    return items;
  }

  end(): ParsedItem[] {
    const items: ParsedItem[] = [];
    this.lines.end((line, t) => take(line, t, items));
    return items;
  }

  finish(): void {
    // Nothing is held back: a broken line is a reject, never a failure.
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
