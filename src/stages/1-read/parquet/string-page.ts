/**
 * A PLAIN-encoded page of a flat BYTE_ARRAY text column (ids, emails, phone numbers: the
 * column of unique values a dictionary does not help), decoded as its rows are taken: each
 * value becomes a JS string straight from the decompressed page bytes when its row is built.
 * hyparquet would first make a Uint8Array view per value in an array as long as the page, then
 * a string per value in another: with a page as large as a row group (DuckDB's), those arrays
 * sit in V8's large-object space and every scavenge during the decode promotes their contents
 * to the old generation, the peak RSS the Parquet reader had over CSV.
 *
 * The text is what hyparquet and values.ts made of the same bytes: a STRING/UTF8 column
 * decoded as TextDecoder does (invalid bytes become U+FFFD, which V8's decoder does alike; a
 * leading byte-order mark dropped), an unannotated or ENUM one decoded strictly, its bytes
 * as hex when they are not UTF-8 (values.ts, bytesToText).
 */
import type { SchemaElement } from 'hyparquet';
import { LevelledPage } from './page-values.js';
import { isDecimal } from './values.js';

/** How a text column's bytes become a string: `lossy` as a STRING column, `strict` as unannotated bytes. */
export type TextDecoding = 'lossy' | 'strict';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The decoding for a top-level column's element as written in the footer, or undefined when
 * its values are not text made from bytes alone (DECIMAL, JSON, BSON, UUID, other types).
 */
export function textDecodingOf(e: SchemaElement): TextDecoding | undefined {
  if (e.type !== 'BYTE_ARRAY' || isDecimal(e)) return undefined;
  const logical = e.logical_type?.type;
  const converted = e.converted_type;
  if (logical === 'STRING' || converted === 'UTF8') return 'lossy';
  if ((logical === undefined || logical === 'ENUM') && (converted === undefined || converted === 'ENUM')) return 'strict';
  return undefined;
}

function isBom(bytes: Buffer, at: number, end: number): boolean {
  return end - at >= 3 && bytes[at] === 0xef && bytes[at + 1] === 0xbb && bytes[at + 2] === 0xbf;
}

/** One value's bytes as the text described above. */
export function textOf(bytes: Buffer, start: number, end: number, decoding: TextDecoding): string {
  const from = isBom(bytes, start, end) ? start + 3 : start;
  const text = bytes.toString('utf8', from, end);
  // A U+FFFD is either in the text or made of bad bytes; only then is the strict check worth its cost.
  if (decoding === 'strict' && text.includes('\uFFFD')) {
    const view = bytes.subarray(start, end);
    try {
      return strictUtf8.decode(view);
    } catch {
      return view.toString('hex');
    }
  }
  return text;
}

export class StringPage extends LevelledPage {
  private offset = 0;

  /** @param bytes the decompressed values: a 4-byte length, then the bytes, per non-null value */
  constructor(
    private readonly bytes: Buffer,
    rows: number,
    definitions: Uint8Array | undefined,
    defined: number,
    private readonly decoding: TextDecoding,
  ) {
    super(rows, definitions, defined);
    checkLengths(bytes, this.valueCount);
  }

  protected nextValue(): unknown {
    const length = this.bytes.readUInt32LE(this.offset);
    const start = this.offset + 4;
    this.offset = start + length;
    return textOf(this.bytes, start, this.offset, this.decoding);
  }
}

/**
 * Walks the lengths once so that a page cut short fails when it is read (naming its row group,
 * before its rows are handed out), not halfway through building a row.
 */
function checkLengths(bytes: Buffer, count: number): void {
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw new Error(`string page ends before value ${i + 1} of ${count}`);
    at += 4 + bytes.readUInt32LE(at);
    if (at > bytes.length) throw new Error(`string page ends inside value ${i + 1} of ${count}`);
  }
}
