/**
 * NDJSON / JSON Lines as an incremental reader: one JSON object per line. A line that does not
 * parse, or holds something other than an object, is a read reject; the run goes on.
 */
import type { SourceData } from '../../core/record.js';
import { truncateRaw, type FormatReader, type ParsedItem } from './reader.js';

export class NdjsonReader implements FormatReader {
  private pending = '';
  private lineNo = 1;

  get line(): number {
    return this.lineNo;
  }

  write(text: string): ParsedItem[] {
    const items: ParsedItem[] = [];
    let start = 0;
    let buf = this.pending + text;
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', start)) {
      this.take(buf.slice(start, nl), items);
      start = nl + 1;
    }
    buf = buf.slice(start);
    this.pending = buf;
    return items;
  }

  end(): ParsedItem[] {
    const items: ParsedItem[] = [];
    if (this.pending !== '') this.take(this.pending, items);
    this.pending = '';
    return items;
  }

  finish(): void {
    // Nothing is held back: a broken line is a reject, never a failure.
  }

  private take(rawLine: string, items: ParsedItem[]): void {
    const line = this.lineNo++;
    const text = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (text.trim() === '') return;
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
}
