/**
 * The items of one batch serialised once, as the UTF-8 bytes the request carries: back to back
 * with the commas between them, so the whole batch is one slice of one buffer (the body needs
 * one copy, with its head and tail) and a retried subset is cut from it, never re-serialised.
 */
export class ItemBytes {
  /**
   * @param buf holds the items from offset 0; bytes past the last end are not the batch's
   * @param ends each item's end offset in `buf` (an item starts one comma after the one before)
   */
  constructor(
    readonly buf: Buffer,
    readonly ends: readonly number[],
  ) {}

  /** Items given as JSON text (tests, and callers that serialised elsewhere). */
  static of(json: readonly string[]): ItemBytes {
    const buf = Buffer.from(json.join(','));
    const ends: number[] = [];
    let at = -1;
    for (const s of json) {
      at += 1 + Buffer.byteLength(s);
      ends.push(at);
    }
    return new ItemBytes(buf, ends);
  }

  get count(): number {
    return this.ends.length;
  }

  /** Bytes of the items and the commas between them. */
  get length(): number {
    return this.ends.length > 0 ? this.ends[this.ends.length - 1]! : 0;
  }

  /** Item `i`'s bytes (a view, not a copy). */
  item(i: number): Buffer {
    return this.buf.subarray(i === 0 ? 0 : this.ends[i - 1]! + 1, this.ends[i]);
  }

  /** Item `i` as text (tests, logs). */
  text(i: number): string {
    return this.item(i).toString('utf8');
  }
}
