/**
 * The part of an input before the record that broke a run. A run stopped by a broken input
 * (an unterminated quote, a corrupt gzip part) is resumed once the file is repaired: the
 * repaired file differs, but its records before the break must be the very ones already
 * settled, or resume's skipping by ordinal would lose records. So at the break the journal
 * keeps a hash of the input's complete lines before the broken record (decompressed for .gz),
 * and a resume accepts the changed input when its same first lines hash the same.
 *
 * Only for line-based formats (CSV, NDJSON), where every record before the broken one ends
 * with a line break before the broken one's line: in a JSON document several records can
 * share a line, so the lines before the break do not hold them whole.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Complete `lines` (line-based formats: those before the broken record's line, or fewer when the
 * input broke before them), or leading `bytes` (Parquet: the row groups before the broken one).
 */
export type BreakPrefix = { readonly lines: number; readonly hash: string } | { readonly bytes: number; readonly hash: string };

/** The first `bytes` bytes of an input, hashed in one pass; destroys `file`. */
export async function hashBytes(file: Readable, bytes: number): Promise<BreakPrefix> {
  const hash = createHash('sha256');
  let left = bytes;
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      const take = chunk.subarray(0, Math.min(chunk.length, left));
      hash.update(take);
      left -= take.length;
      if (left <= 0) break;
    }
  } catch {
    // Unreadable: what was read is hashed, and a repaired copy will not match it.
  } finally {
    file.destroy();
  }
  return { bytes: bytes - left, hash: hash.digest('hex') };
}

/**
 * Hashes the first `lines` complete lines of an input's bytes (its storage's `openStream`;
 * fewer lines when it has fewer), in one pass with constant memory, stopping quietly at a read
 * or inflate error: what inflated before the error is what the reader saw. Destroys `file`.
 */
export async function hashLines(file: Readable, gzip: boolean, lines: number): Promise<{ readonly lines: number; readonly hash: string }> {
  const running = createHash('sha256');
  // The hash as of the last complete line; bytes of a line not yet complete are only in `running`.
  let committed: Hash = running.copy();
  let seen = 0;
  const bytes: AsyncIterable<Buffer> = gzip ? file.pipe(createGunzip()) : file;
  try {
    for await (const chunk of bytes) {
      let end = -1;
      for (let at = chunk.indexOf(0x0a); at >= 0 && seen < lines; at = chunk.indexOf(0x0a, at + 1)) {
        end = at;
        seen++;
      }
      if (end >= 0) {
        running.update(chunk.subarray(0, end + 1));
        committed = running.copy();
      }
      if (seen >= lines) break;
      running.update(chunk.subarray(end + 1));
    }
  } catch {
    // A corrupt input ends the prefix where the reader's view of it ended.
  } finally {
    file.destroy();
  }
  return { lines: seen, hash: committed.digest('hex') };
}
