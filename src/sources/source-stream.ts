/**
 * All inputs as one object stream of ReadEvents. Every record, rejected or not, takes the next
 * `seq`, so reading the same inputs again numbers them the same — resume relies on it.
 * Backpressure: the next chunk of a file is only read when the stream is asked for more; one
 * chunk's worth of events is the most ever held.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ConfigError, EtlError, SourceError } from '../core/errors.js';
import type { Provenance, ReadEvent } from '../core/record.js';
import type { SourceFormat, SourceSpec } from '../config/pipeline-spec.js';
import { CsvReader } from './csv-reader.js';
import { createDecoder } from './decode.js';
import { gunzipIfNeeded, type GzipMode } from './decompress.js';
import { JsonReader } from './json-reader.js';
import { NdjsonReader } from './ndjson-reader.js';
import type { FormatReader, ParsedItem, ReaderContext } from './reader.js';
import { STDIN, type InputFile } from './resolve-inputs.js';
import { openZip } from './zip-reader.js';

export interface OpenSourceOptions {
  /** Read for `-`; defaults to process.stdin. */
  stdin?: Readable;
  /** Stop after this many events (records and read rejects). */
  limit?: number;
  /** Events with a smaller seq are read (to keep the numbering) but not emitted: resume. */
  startSeq?: number;
  /**
   * At a broken input, end the stream normally and keep the error in `failure` instead of
   * failing the stream. A destroyed stream drops the events still in its buffer (up to 256
   * records read before the break), and `pipeline()` then tears down the later stages with their
   * batches in flight; ending lets all of them settle. The caller must check `failure` once the
   * pipeline is done.
   */
  deferFailure?: boolean;
  /**
   * Emit arrays of at most CHUNK_EVENTS events instead of one event per read: the pipeline's
   * per-record costs (a push, a promise, a stream hop per stage) then fall to per-chunk costs.
   */
  chunked?: boolean;
}

/**
 * The most events in one array in `chunked` mode. Small enough that the records read ahead of
 * the batcher (what an interrupt still settles) stay about what one-event stages buffered
 * (~340); large enough that per-chunk costs vanish per record.
 */
export const CHUNK_EVENTS = 128;

const READ_CHUNK_BYTES = 128 * 1024;

function createReader(format: SourceFormat, spec: SourceSpec, where: ReaderContext): FormatReader {
  switch (format) {
    case 'csv':
      return new CsvReader(spec.csv ?? {}, where);
    case 'ndjson':
      return new NdjsonReader();
    case 'json':
      return new JsonReader(spec.json?.pointer, where);
  }
}

/** A failure below the readers (file system, gzip, zip) as a SourceError naming the input and how far it got. */
function toSourceError(e: unknown, where: ReaderContext, line: number, container: 'gzip' | 'zip' | 'none'): EtlError {
  if (e instanceof EtlError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const context = { ...where, line };
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return container === 'zip'
      ? new SourceError(`corrupt compressed data in the archive entry: ${message}`, context, 'ETL_SOURCE_ZIP', { cause: e })
      : new SourceError(`corrupt gzip data: ${message}`, context, 'ETL_SOURCE_GZIP', { cause: e });
  }
  if (container === 'zip' && code === undefined) {
    return new SourceError(`corrupt archive entry: ${message}`, context, 'ETL_SOURCE_ZIP', { cause: e });
  }
  return new SourceError(`cannot read the input: ${message}`, context, 'ETL_SOURCE_IO', { cause: e });
}

async function* asBuffers(source: AsyncIterable<Buffer | string>, count: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    count(buf.length);
    yield buf;
  }
}

/** Decodes and parses one input's bytes; yields one batch of items per chunk. */
async function* parseBytes(
  bytes: AsyncIterable<Buffer>,
  reader: FormatReader,
  format: SourceFormat,
  spec: SourceSpec,
  where: ReaderContext,
  container: 'gzip' | 'zip' | 'none',
): AsyncGenerator<ParsedItem[]> {
  // JSON and NDJSON are UTF-8 by definition (RFC 8259); only CSV exports come in legacy encodings.
  const decoder = createDecoder(format === 'csv' ? spec.csv?.encoding : 'utf8');
  try {
    for await (const chunk of bytes) {
      const items = reader.write(decoder.write(chunk));
      if (items.length > 0) yield items;
    }
  } catch (e) {
    throw toSourceError(e, where, reader.line, container);
  }
  const last = reader.write(decoder.end());
  const tail = reader.end();
  if (last.length > 0 || tail.length > 0) yield last.concat(tail);
  reader.finish();
}

export class SourceStream extends Readable {
  /** Bytes taken from the inputs so far (compressed bytes for .gz and .zip), for progress and ETA. */
  bytesRead = 0;
  /** Sum of the inputs' sizes on disk; 0 for stdin. */
  readonly totalBytes: number;
  /** Why reading stopped before the end, when `deferFailure` was set; read it after the stream ended. */
  failure: Error | undefined;
  private readonly deferFailure: boolean;
  private readonly chunked: boolean;
  private readonly batches: AsyncGenerator<ReadEvent[]>;
  private pulling = false;

  constructor(inputs: readonly InputFile[], spec: SourceSpec, options: OpenSourceOptions = {}) {
    // Chunked: two arrays (at most 2 * CHUNK_EVENTS events) buffered, what 256 single events were.
    super({ objectMode: true, highWaterMark: options.chunked === true ? 2 : 256 });
    this.totalBytes = inputs.reduce((sum, f) => sum + f.size, 0);
    this.deferFailure = options.deferFailure === true;
    this.chunked = options.chunked === true;
    this.batches = this.events(inputs, spec, options);
  }

  override _read(): void {
    if (!this.pulling) void this.pull();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Not awaited: a generator parked on a silent stdin would hold the destroy forever; files close when it wakes.
    this.batches.return(undefined).catch(() => undefined);
    callback(error);
  }

  private async pull(): Promise<void> {
    this.pulling = true;
    try {
      for (;;) {
        const r = await this.batches.next();
        if (this.destroyed) return;
        if (r.done === true) {
          this.push(null);
          return;
        }
        let more = true;
        if (this.chunked) {
          if (r.value.length <= CHUNK_EVENTS) more = this.push(r.value);
          else for (let i = 0; i < r.value.length; i += CHUNK_EVENTS) more = this.push(r.value.slice(i, i + CHUNK_EVENTS));
        } else {
          for (const event of r.value) more = this.push(event);
        }
        if (!more) return;
      }
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (this.deferFailure && !this.destroyed) {
        this.failure = error;
        this.push(null);
      } else {
        this.destroy(error);
      }
    } finally {
      this.pulling = false;
    }
  }

  private async *events(inputs: readonly InputFile[], spec: SourceSpec, options: OpenSourceOptions): AsyncGenerator<ReadEvent[]> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const startSeq = options.startSeq ?? 0;
    let seq = 0;
    let emitted = 0;
    if (limit <= 0) return;
    const self = this;

    /** Numbers one input's items and turns them into events; false once the limit is reached. */
    async function* number(items: AsyncGenerator<ParsedItem[]>, where: ReaderContext): AsyncGenerator<ReadEvent[], boolean> {
      for await (const batch of items) {
        const events: ReadEvent[] = [];
        for (const item of batch) {
          const s = seq++;
          if (s < startSeq) continue;
          const prov: Provenance = where.entry !== undefined
            ? { file: where.file, entry: where.entry, line: item.line, seq: s }
            : { file: where.file, line: item.line, seq: s };
          events.push(item.kind === 'record'
            ? { kind: 'record', prov, data: item.data }
            : { kind: 'reject', prov, stage: 'read', reason: item.reason, record: item.raw });
          if (++emitted >= limit) break;
        }
        if (events.length > 0) yield events;
        if (emitted >= limit) return false;
      }
      return true;
    }

    for (const input of inputs) {
      if (input.compression === 'zip') {
        const archive = await openZip(input.path, input.display, spec);
        try {
          for (const entry of archive.entries) {
            const where = { file: input.display, entry: entry.name };
            // Progress counts archive bytes: inflated bytes scaled by the entry's compression ratio.
            const ratio = entry.size > 0 ? entry.compressedSize / entry.size : 0;
            const bytes = asBuffers(archive.open(entry), (n) => { self.bytesRead += n * ratio; });
            const reader = createReader(entry.format, spec, where);
            const items = parseBytes(gunzipIfNeeded(bytes, 'detect'), reader, entry.format, spec, where, 'zip');
            if (!(yield* number(items, where))) return;
          }
        } finally {
          await archive.close().catch(() => undefined);
        }
        continue;
      }
      const where = { file: input.display };
      const isStdin = input.path === STDIN;
      const raw: AsyncIterable<Buffer | string> = isStdin
        ? (options.stdin ?? process.stdin)
        : createReadStream(input.path, { highWaterMark: READ_CHUNK_BYTES });
      const mode: GzipMode = isStdin ? 'detect' : input.compression === 'gzip' ? 'gzip' : 'none';
      const format = input.format ?? 'csv';
      const bytes = asBuffers(raw, (n) => { self.bytesRead += n; });
      const reader = createReader(format, spec, where);
      const refuseZip = isStdin
        ? () => new ConfigError('stdin holds a ZIP archive, which can only be read from a file (its directory is at the end): pass the archive\'s path instead of -', where, 'ETL_SOURCE_ZIP_STDIN')
        : undefined;
      const items = parseBytes(gunzipIfNeeded(bytes, mode, refuseZip), reader, format, spec, where, mode === 'none' ? 'none' : 'gzip');
      if (!(yield* number(items, where))) return;
    }
  }
}

export function openSource(inputs: readonly InputFile[], spec: SourceSpec, options: OpenSourceOptions = {}): SourceStream {
  return new SourceStream(inputs, spec, options);
}
