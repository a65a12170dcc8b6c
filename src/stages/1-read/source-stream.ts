/**
 * All inputs as one object stream of SourceEvents. Every record, rejected or not, takes the next
 * `seq`, so reading the same inputs again numbers them the same — resume relies on it.
 * Backpressure: the next chunk of a file is only read when the stream is asked for more; one
 * chunk's worth of events is the most ever held.
 *
 * The stream is a small generator over the inputs (`events`): each input's parts (a file, or an
 * archive's entries) come from `input-parts.ts`, their items from the format's reader; numbering
 * (`Numbering`), byte counting (`ByteMeter`) and the deferred failure (`pull`) are each done once here.
 */
import { Readable } from 'node:stream';
import type { KnownBytes } from '../../core/known-bytes.js';
import { ERR, EtlError, SourceError } from '../../core/errors.js';
import type { Provenance, SourceEvent } from '../../core/record.js';
import type { SourceSpec } from '../../config/pipeline-spec.js';
import { storageFor } from '../../storage/index.js';
import { FORMATS, type FormatRegistry } from './formats/index.js';
import { ByteMeter, inputParts, type Container, type InputPart, type SkippedEntry } from './input-parts.js';
import type { ParsedItem, ReaderContext } from './reader.js';
import type { InputFile } from './resolve-inputs.js';

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
  /** The formats to know (the built-in ones by default); must be the registry the inputs were resolved with. */
  formats?: FormatRegistry;
  /** The mapping's source columns and paths: a columnar format (Parquet) reads only these. Every column when undefined. */
  columns?: readonly string[];
  /** A delta night's fast path: records the state knows by their text come as `known` events (core/known-bytes.ts). */
  known?: KnownBytes;
}

/**
 * The most events in one array in `chunked` mode. Small enough that the records read ahead of
 * the batcher (what an interrupt still settles) stay about what one-event stages buffered
 * (~340); large enough that per-chunk costs vanish per record.
 */
export const CHUNK_EVENTS = 128;

/** A failure below the readers (storage, gzip, zip) as a SourceError naming the input and how far it got. */
function toSourceError(e: unknown, where: ReaderContext, line: number, container: Container): EtlError {
  if (e instanceof EtlError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const context = { ...where, line };
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return container === 'zip'
      ? new SourceError(`corrupt compressed data in the archive entry: ${message}`, context, ERR.SOURCE_ZIP, { cause: e })
      : new SourceError(`corrupt gzip data: ${message}`, context, ERR.SOURCE_GZIP, { cause: e });
  }
  if (container === 'zip' && code === undefined) {
    return new SourceError(`corrupt archive entry: ${message}`, context, ERR.SOURCE_ZIP, { cause: e });
  }
  return new SourceError(`cannot read the input: ${message}`, context, ERR.SOURCE_IO, { cause: e });
}

/** Gives every item the next `seq` and its provenance; skips what resume has settled; stops at the limit. */
class Numbering {
  private seq = 0;
  private emitted = 0;

  constructor(
    private readonly limit: number,
    private readonly startSeq: number,
  ) {}

  get full(): boolean {
    return this.emitted >= this.limit;
  }

  events(batch: readonly ParsedItem[], where: ReaderContext): SourceEvent[] {
    const events: SourceEvent[] = [];
    for (const item of batch) {
      if (this.full) break;
      const s = this.seq++;
      if (s < this.startSeq) continue;
      const prov: Provenance =
        where.entry !== undefined
          ? { file: where.file, entry: where.entry, line: item.line, seq: s }
          : { file: where.file, line: item.line, seq: s };
      events.push(
        item.kind === 'record'
          ? item.textHash !== undefined
            ? { kind: 'record', prov, data: item.data, textHash: item.textHash }
            : { kind: 'record', prov, data: item.data }
          : item.kind === 'known'
            ? { kind: 'known', prov, slot: item.slot, textHash: item.textHash, text: item.text, from: item.from }
            : { kind: 'reject', prov, stage: 'read', reason: item.reason, record: item.raw },
      );
      this.emitted++;
    }
    return events;
  }
}

/** One part's items, a failure below its reader worded as a SourceError naming it. */
async function* partItems(part: InputPart): AsyncGenerator<ParsedItem[]> {
  try {
    yield* part.items;
  } catch (e) {
    throw toSourceError(e, part.where, part.line(), part.container);
  }
}

export class SourceStream extends Readable {
  /** Sum of the inputs' sizes in storage; 0 for stdin. */
  readonly totalBytes: number;
  /** Why reading stopped before the end, when `deferFailure` was set; read it after the stream ended. */
  failure: Error | undefined;
  /**
   * Files of the archives read so far that were not read as records (a `manifest.json` beside
   * the data, entries `zip.entries` did not choose), for the run's summary.
   */
  readonly skippedEntries: SkippedEntry[] = [];
  private readonly meter = new ByteMeter();
  private readonly deferFailure: boolean;
  private readonly chunked: boolean;
  private readonly batches: AsyncGenerator<SourceEvent[]>;
  private pulling = false;
  private pendingError: Error | undefined;

  constructor(inputs: readonly InputFile[], spec: SourceSpec, options: OpenSourceOptions = {}) {
    // Chunked: two arrays (at most 2 * CHUNK_EVENTS events) buffered, what 256 single events were.
    super({ objectMode: true, highWaterMark: options.chunked === true ? 2 : 256 });
    this.totalBytes = inputs.reduce((sum, f) => sum + f.object.size, 0);
    this.deferFailure = options.deferFailure === true;
    this.chunked = options.chunked === true;
    this.batches = this.events(inputs, spec, options);
  }

  /** Bytes taken from the inputs so far (compressed bytes for .gz and .zip), for progress and ETA. */
  get bytesRead(): number {
    return this.meter.bytes;
  }

  /**
   * Takes the failure to the consumer only once it has taken every event read before it:
   * destroying at once would drop them from the buffer.
   */
  override read(size?: number): unknown {
    const chunk: unknown = super.read(size);
    if (this.pendingError !== undefined && this.readableLength === 0) {
      const error = this.pendingError;
      this.pendingError = undefined;
      this.destroy(error);
    }
    return chunk;
  }

  override _read(): void {
    if (!this.pulling && this.pendingError === undefined) void this.pull();
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
      } else if (this.readableLength > 0) {
        this.pendingError = error;
      } else {
        this.destroy(error);
      }
    } finally {
      this.pulling = false;
    }
  }

  private async *events(inputs: readonly InputFile[], spec: SourceSpec, options: OpenSourceOptions): AsyncGenerator<SourceEvent[]> {
    const numbering = new Numbering(options.limit ?? Number.POSITIVE_INFINITY, options.startSeq ?? 0);
    const ctx = {
      spec,
      formats: options.formats ?? FORMATS,
      meter: this.meter,
      skipped: this.skippedEntries,
      columns: options.columns,
      known: options.known,
    };
    if (numbering.full) return;
    for (const input of inputs) {
      const storage = storageFor(input.object.location, { s3: spec.s3, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) });
      for await (const part of inputParts(input, storage, ctx)) {
        for await (const batch of partItems(part)) {
          const events = numbering.events(batch, part.where);
          if (events.length > 0) yield events;
          if (numbering.full) return;
        }
      }
    }
  }
}

export function openSource(inputs: readonly InputFile[], spec: SourceSpec, options: OpenSourceOptions = {}): SourceStream {
  return new SourceStream(inputs, spec, options);
}
