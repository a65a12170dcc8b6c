/**
 * A NUL character (U+0000) is never sent: Propel's fields are text, and a NUL in one is an export
 * gone wrong (a fixed-width field padded with zero bytes, a binary column). The record holding it
 * is a read reject. Records are only looked through once an input's text has shown a NUL (or a
 * JSON `\u0000` escape), so a clean input pays one search per chunk. A binary input (Parquet) has
 * no text to watch: its records are always looked through.
 */
import { holdsChar, type ParsedItem } from './reader.js';

export const NUL_REASON = 'holds a NUL character (U+0000), which is never sent';

export class NulCheck {
  /** For an input with no text to watch. */
  static always(): NulCheck {
    const check = new NulCheck();
    check.seen = true;
    return check;
  }

  private seen = false;
  /** The end of the last piece: a `\u0000` escape may be split between two. */
  private tail = '';

  /** Each piece of decoded text, before its records are checked. */
  watch(text: string): void {
    if (this.seen) return;
    const seam = this.tail + text.slice(0, 5);
    this.seen = text.includes('\u0000') || text.includes('\\u0000') || seam.includes('\\u0000');
    this.tail = text.length >= 5 ? text.slice(-5) : (this.tail + text).slice(-5);
  }

  check(items: ParsedItem[]): ParsedItem[] {
    if (!this.seen) return items;
    return items.map((item) =>
      item.kind === 'record' && holdsChar(item.data, '\u0000')
        ? { kind: 'reject', line: item.line, reason: NUL_REASON, raw: item.data }
        : item,
    );
  }
}
