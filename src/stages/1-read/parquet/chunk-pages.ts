/**
 * The pages of one column chunk, each as its header and its (still compressed) bytes, read
 * through ranged reads of at most a window of bytes at a time. A chunk smaller than the window
 * is one read, as before; a large one (Spark's 128 MB row groups) is never held whole, so what
 * a column holds is a window and the page being decoded, not its row group's bytes.
 */
import type { AsyncBuffer, PageHeader } from 'hyparquet';
// hyparquet's internals, pinned to the exact version in package.json (see flat-column.ts).
import { parquetHeader } from 'hyparquet/src/column.js';

export interface RawPage {
  readonly header: PageHeader;
  /** The page's bytes after its header (compressed_page_size of them). */
  readonly bytes: Uint8Array;
}

/** Bytes asked for at once; a page header is far smaller, a page may be larger (then it is read whole). */
export const DEFAULT_WINDOW_BYTES = 4 << 20;
/** Enough for most page headers; one with large statistics is parsed again with more bytes. */
const HEADER_BYTES = 1 << 10;
/** Writers make pages of about 1 MiB (Arrow, Spark); a page is decompressed whole, so what one claims is capped. */
export const DEFAULT_MAX_PAGE_BYTES = 128 * 1024 * 1024;

/** A page header claiming more bytes than the cap: refused before they are allocated. */
export class PageTooLarge extends Error {
  constructor(
    readonly claimed: number,
    readonly maxBytes: number,
  ) {
    super(`a page claims ${claimed} bytes uncompressed, more than source.parquet.maxPageSize (${maxBytes})`);
    this.name = 'PageTooLarge';
  }
}

export class ChunkPages {
  private window = new Uint8Array(0);
  /** File offset of window[0]. */
  private windowStart: number;
  /** File offset of the next page header. */
  private position: number;

  constructor(
    private readonly buffer: AsyncBuffer,
    start: number,
    private readonly end: number,
    private readonly windowBytes: number = DEFAULT_WINDOW_BYTES,
    private readonly maxPageBytes: number = DEFAULT_MAX_PAGE_BYTES,
  ) {
    // The footer's offsets are claims too: a chunk past the file's end is a broken file, not a read to try.
    if (!(start >= 0) || !(end >= start) || end > buffer.byteLength) {
      throw new Error(`column chunk at bytes ${start}-${end} runs past the end of the file (${buffer.byteLength} bytes)`);
    }
    this.position = start;
    this.windowStart = start;
  }

  /** The next page, or undefined at the chunk's end. */
  async next(): Promise<RawPage | undefined> {
    if (this.position >= this.end) return undefined;
    let headerBytes = Math.min(HEADER_BYTES, this.windowBytes);
    for (;;) {
      await this.cover(this.position, Math.min(this.end, this.position + headerBytes));
      const reader = {
        view: new DataView(this.window.buffer, this.window.byteOffset, this.window.byteLength),
        offset: this.position - this.windowStart,
      };
      let header: PageHeader;
      try {
        header = parquetHeader(reader);
      } catch (e) {
        // A header running past what was read (hyparquet throws a RangeError or "ended without
        // STOP"): read more, unless the chunk has no more.
        const covered = this.windowStart + this.window.byteLength;
        if (covered < this.end) {
          headerBytes *= 4;
          continue;
        }
        throw e;
      }
      const bodyStart = this.windowStart + reader.offset;
      const bodyEnd = bodyStart + header.compressed_page_size;
      if (!(header.compressed_page_size >= 0) || bodyEnd > this.end) {
        throw new Error(
          `page of ${header.compressed_page_size} bytes at offset ${bodyStart} runs past its column chunk (ends at ${this.end})`,
        );
      }
      const claimed = Number(header.uncompressed_page_size);
      if (!(claimed >= 0) || claimed > this.maxPageBytes) throw new PageTooLarge(claimed, this.maxPageBytes);
      await this.cover(bodyStart, bodyEnd);
      this.position = bodyEnd;
      return { header, bytes: this.window.subarray(bodyStart - this.windowStart, bodyEnd - this.windowStart) };
    }
  }

  /**
   * Makes the window hold the file's bytes [from, to): reads from the window's end (keeping the
   * part not yet parsed) at least a window's worth, never past the chunk.
   */
  private async cover(from: number, to: number): Promise<void> {
    const windowEnd = this.windowStart + this.window.byteLength;
    if (from >= this.windowStart && to <= windowEnd) return;
    const keepFrom = from >= this.windowStart && from < windowEnd ? from : windowEnd;
    const readFrom = Math.max(keepFrom, windowEnd, from);
    const readTo = Math.min(this.end, Math.max(to, readFrom + this.windowBytes));
    const fresh = new Uint8Array(await this.buffer.slice(readFrom, readTo));
    const kept = keepFrom < windowEnd ? this.window.subarray(keepFrom - this.windowStart) : undefined;
    if (kept === undefined || kept.byteLength === 0) {
      this.window = fresh;
      this.windowStart = readFrom;
    } else {
      const joined = new Uint8Array(kept.byteLength + fresh.byteLength);
      joined.set(kept);
      joined.set(fresh, kept.byteLength);
      this.window = joined;
      this.windowStart = keepFrom;
    }
  }
}
