/**
 * gzip on the fly: by extension, or by the 1F 8B magic bytes when the name says nothing
 * (stdin, archive entries). Concatenated gzip members (what `cat part*.gz` makes) read as one.
 */
import { createGunzip } from 'node:zlib';
import { Readable, pipeline } from 'node:stream';
import { compressionFromMagic } from './compression.js';

export type GzipMode = 'gzip' | 'detect' | 'none';

/** Replays already-read chunks, then the rest of the iterator; closing it closes the source. */
async function* replay(head: Buffer[], it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

/**
 * `refuseZip`, with 'detect': the error to throw when the bytes are a ZIP archive, which a
 * stream cannot hold (its directory is at the end and needs random access). Without it, a ZIP
 * would be read as text and every row rejected for reasons that explain nothing.
 */
export async function* gunzipIfNeeded(source: AsyncIterable<Buffer>, mode: GzipMode, refuseZip?: () => Error): AsyncGenerator<Buffer> {
  if (mode === 'none') {
    yield* source;
    return;
  }
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let isGzip = mode === 'gzip';
  if (mode === 'detect') {
    let length = 0;
    try {
      // Four bytes tell gzip (1F 8B) and ZIP (PK 03 04) apart, whatever the chunking.
      while (length < 4) {
        const r = await it.next();
        if (r.done === true) break;
        head.push(r.value);
        length += r.value.length;
      }
    } catch (e) {
      await it.return?.();
      throw e;
    }
    const magic = compressionFromMagic(head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head));
    if (magic === 'zip' && refuseZip !== undefined) {
      await it.return?.();
      throw refuseZip();
    }
    isGzip = magic === 'gzip';
  }
  const bytes = replay(head, it);
  if (!isGzip) {
    yield* bytes;
    return;
  }
  // pipeline() wires errors both ways: a read error or corrupt data fails the iteration below,
  // and stopping the iteration early destroys the file stream.
  const gunzip = pipeline(Readable.from(bytes, { objectMode: false }), createGunzip(), () => undefined);
  yield* gunzip as AsyncIterable<Buffer>;
}
