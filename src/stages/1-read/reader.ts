/**
 * What every format reader (CSV, NDJSON, JSON) hands to the source stream: records and
 * read rejects with the line they start on. Readers are pure and incremental — text in,
 * items out — so they can be tested chunk by chunk without streams; the source stream adds
 * the run-wide provenance (file, entry, seq).
 */
import type { Reread, SourceData } from '../../core/record.js';
import { FieldRow } from '../../core/field-row.js';

export type ParsedItem =
  | { readonly kind: 'record'; readonly line: number; readonly data: SourceData; readonly textHash?: string }
  | { readonly kind: 'reject'; readonly line: number; readonly reason: string; readonly raw: unknown }
  /** A record the delta state knows by its text (core/known-bytes.ts): not built. */
  | {
      readonly kind: 'known';
      readonly line: number;
      readonly slot: number;
      readonly textHash: string;
      readonly text: string;
      readonly from: Reread;
    };

export interface FormatReader {
  /** Feed the next piece of decoded text; returns the items completed by it. */
  write(text: string): ParsedItem[];
  /** No more text: returns the last items, or throws SourceError when the input ends mid-record. */
  end(): ParsedItem[];
  /**
   * Call after the items of `end()` were handled: throws a failure that `end()` held back so the
   * records before the break go out first.
   */
  finish(): void;
  /** The 1-based line the reader has reached, for messages about failures outside the reader (gzip, zip). */
  readonly line: number;
}

/** Names the input in errors a reader throws. */
export interface ReaderContext {
  readonly file: string;
  readonly entry?: string;
}

/** Raw text kept in a reject is cut here so one broken multi-megabyte line cannot bloat rejects.ndjson. */
export const RAW_TEXT_LIMIT = 1024;

export function truncateRaw(text: string): string {
  return text.length > RAW_TEXT_LIMIT ? `${text.slice(0, RAW_TEXT_LIMIT)}…` : text;
}

/** Counts line breaks (LF, CRLF, lone CR) in `text`; a CR at the very end counts as one break. */
export function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  // Lone CRs are rare (old Mac files); only scan for them when the text has any CR at all.
  if (text.indexOf('\r') !== -1) {
    for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) {
      if (text.charCodeAt(i + 1) !== 10) count++;
    }
  }
  return count;
}

/** Whether a parsed value holds `char` in any string or key, however deep (records from JSON nest). */
export function holdsChar(value: unknown, char: string): boolean {
  if (typeof value === 'string') return value.includes(char);
  if (value instanceof FieldRow) return holdsChar(value.fields, char) || holdsChar(value.columns.names, char);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holdsChar(v, char));
  for (const [k, v] of Object.entries(value)) if (k.includes(char) || holdsChar(v, char)) return true;
  return false;
}
