/**
 * What one input holds for the readers: a file is one part, an archive one part per chosen entry.
 * Each part's items come from its format's reader (text: decoded bytes; binary: ranges of the
 * stored object). The bytes taken from storage are counted here, for progress and its ETA.
 */
import type { KnownBytes } from '../../core/known-bytes.js';
import type { Readable } from 'node:stream';
import { ERR, ConfigError } from '../../core/errors.js';
import type { SourceSpec } from '../../config/pipeline-spec.js';
import { STDIN, type Storage, type StoredObject } from '../../storage/index.js';
import { gunzipIfNeeded, type GzipMode } from './decompress.js';
import { DEFAULT_FORMAT, type FormatRegistry, type TextFormat } from './formats/index.js';
import { NulCheck } from './nul-check.js';
import { readText } from './read-text.js';
import type { FormatReader, ParsedItem, ReaderContext } from './reader.js';
import type { InputFile } from './input-file.js';
import { withEntryFile } from './zip-entry-file.js';
import { openZip } from './zip-reader.js';

export type Container = 'gzip' | 'zip' | 'none';

export interface InputPart {
  readonly where: ReaderContext;
  /** What the bytes came out of, to word a failure below the reader. */
  readonly container: Container;
  readonly items: AsyncIterable<ParsedItem[]>;
  /** Whether its items come from decoded text (what the encoding check reads); a binary format's do not. */
  readonly decoded: boolean;
  /** The line the reader has reached (0 for a binary format), for such a failure. */
  line(): number;
}

/** Counts bytes as they are taken from storage: the one place progress learns how far the reading is. */
export class ByteMeter {
  bytes = 0;

  /** `weight`: input bytes per byte passed (an archive entry's compression ratio, 1 otherwise). */
  async *count(source: AsyncIterable<Buffer | string>, weight = 1): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.bytes += buf.length * weight;
      yield buf;
    }
  }

  /** A binary reader's view of the storage, its streams and ranges counted. */
  storage(storage: Storage): Storage {
    return {
      scheme: storage.scheme,
      list: (pattern, baseDir) => storage.list(pattern, baseDir),
      stat: (path, baseDir) => storage.stat(path, baseDir),
      openStream: (object: StoredObject, start?: number): Readable => {
        const stream = storage.openStream(object, start);
        stream.on('data', (chunk: Buffer) => {
          this.bytes += chunk.length;
        });
        return stream;
      },
      readRange: async (object, start, end) => {
        const bytes = await storage.readRange(object, start, end);
        this.bytes += bytes.length;
        return bytes;
      },
      localFile: (object) => storage.localFile(object),
    };
  }
}

function textPart(
  bytes: AsyncIterable<Buffer>,
  format: TextFormat,
  spec: SourceSpec,
  where: ReaderContext,
  container: Container,
  known: KnownBytes | undefined,
): InputPart {
  const reader: FormatReader = format.createReader(spec, where, format.recordBytes === true ? known : undefined);
  return { where, container, items: readText(bytes, format, reader, spec, where), line: () => reader.line, decoded: true };
}

/** An archive's file the pipeline did not read (not data, or not chosen by `zip.entries`). */
export interface SkippedEntry {
  readonly file: string;
  readonly entry: string;
}

export interface PartsContext {
  readonly spec: SourceSpec;
  readonly formats: FormatRegistry;
  readonly meter: ByteMeter;
  /** Filled as archives are opened. */
  readonly skipped: SkippedEntry[];
  /** The mapping's source columns, for a columnar binary format; every column when undefined. */
  readonly columns?: readonly string[] | undefined;
  /** A delta night's fast path, for the formats whose records have text of their own. */
  readonly known?: KnownBytes | undefined;
}

function binaryPart(items: AsyncIterable<ParsedItem[]>, where: ReaderContext, container: Container): InputPart {
  return { where, container, items: withoutNul(items), line: () => 0, decoded: false };
}

async function* withoutNul(items: AsyncIterable<ParsedItem[]>): AsyncGenerator<ParsedItem[]> {
  const nul = NulCheck.always();
  for await (const chunk of items) yield nul.check(chunk);
}

export async function* inputParts(input: InputFile, storage: Storage, ctx: PartsContext): AsyncGenerator<InputPart> {
  const { object } = input;
  const { spec, formats, meter } = ctx;
  if (input.compression === 'zip') {
    const archive = await openZip(object, storage, spec, formats);
    for (const entry of archive.skipped) ctx.skipped.push({ file: object.display, entry });
    try {
      for (const entry of archive.entries) {
        const where = { file: object.display, entry: entry.name };
        // Progress counts archive bytes: inflated bytes scaled by the entry's compression ratio.
        const ratio = entry.size > 0 ? entry.compressedSize / entry.size : 0;
        const format = entry.format;
        if (format.kind === 'binary') {
          const read = (o: StoredObject, s: Storage): AsyncIterable<ParsedItem[]> =>
            format.read(o, meter.storage(s), spec, where, { columns: ctx.columns });
          yield binaryPart(withEntryFile(archive, entry, read), where, 'zip');
          continue;
        }
        yield textPart(gunzipIfNeeded(meter.count(archive.open(entry), ratio), 'detect'), format, spec, where, 'zip', ctx.known);
      }
    } finally {
      await archive.close().catch(() => undefined);
    }
    return;
  }
  const where = { file: object.display };
  const format = formats.get(input.format ?? DEFAULT_FORMAT);
  if (format.kind === 'binary') {
    yield binaryPart(format.read(object, meter.storage(storage), spec, where, { columns: ctx.columns }), where, 'none');
    return;
  }
  const isStdin = object.location === STDIN;
  const mode: GzipMode = isStdin ? 'detect' : input.compression === 'gzip' ? 'gzip' : 'none';
  const refuseZip = isStdin
    ? () =>
        new ConfigError(
          "stdin holds a ZIP archive, which can only be read from a file (its directory is at the end): pass the archive's path instead of -",
          where,
          ERR.SOURCE_ZIP_STDIN,
        )
    : undefined;
  const bytes = gunzipIfNeeded(meter.count(storage.openStream(object)), mode, refuseZip);
  yield textPart(bytes, format, spec, where, mode === 'none' ? 'none' : 'gzip', ctx.known);
}
