/**
 * ZIP archives: entries chosen by a glob or by format, in archive order, each streamed (an entry
 * in a binary format, which needs random access, is extracted by zip-entry-file.ts). A ceiling
 * on entry size guards against zip bombs: the declared size is checked before any entry is
 * read, the actual size while inflating (a crafted header can lie).
 * The archive's directory is at its end, so it is read from a file on this machine: the
 * storage's `localFile` (the file itself when local, a private download otherwise).
 */
import type StreamZip from 'node-stream-zip';
import picomatch from 'picomatch';
import { ERR, ConfigError, SourceError } from '../../core/errors.js';
import type { SourceSpec } from '../../config/pipeline-spec.js';
import type { Storage, StoredObject } from '../../storage/storage.js';
import { FORMATS, type FormatRegistry, type SourceFormatDef } from './formats/index.js';

export const DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 ** 3;
/** Exports deflate 5 to 20 times, sparse ones up to ~100; a zip bomb a thousand and more. */
export const DEFAULT_MAX_RATIO = 200;
/** Entries smaller than this are not judged by their ratio: a tiny file of blanks may deflate far. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

/** The most an entry may inflate to: its size cap, and its ratio cap over what it takes in the archive. */
function inflateLimit(compressedSize: number, maxBytes: number, maxRatio: number): number {
  return Math.min(maxBytes, Math.max(RATIO_FLOOR_BYTES, compressedSize * maxRatio));
}

export interface ZipEntryInput {
  readonly name: string;
  readonly format: SourceFormatDef;
  /** Declared uncompressed size. */
  readonly size: number;
  readonly compressedSize: number;
  /** CRC-32 of the uncompressed bytes, from the central directory: what a resume compares. */
  readonly crc: number;
}

export interface ZipArchive {
  /** The archive as messages name it. */
  readonly display: string;
  /** The chosen entries, in archive order. */
  readonly entries: readonly ZipEntryInput[];
  /** Names of the files in the archive that are not read (not data, or not chosen), in archive order. */
  readonly skipped: readonly string[];
  /** The entry's uncompressed bytes; fails when they pass the ceiling. */
  open(entry: ZipEntryInput): AsyncGenerator<Buffer>;
  close(): Promise<void>;
}

/** Metadata a tool such as macOS Finder adds; never data, and it carries data-like names. */
function isArchiveJunk(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return name.startsWith('__MACOSX/') || base.startsWith('._');
}

/** Which entries are read, and with which format: by `zip.entries` when set, else by extension. */
function entryChooser(spec: SourceSpec, display: string, formats: FormatRegistry): (name: string) => SourceFormatDef | undefined {
  const glob = spec.zip?.entries;
  if (glob === undefined) return (name) => (isArchiveJunk(name) ? undefined : formats.entryFormat(name, spec.format));
  // A pattern without a folder part is matched against the entry's base name: `*.csv` also picks
  // `exports/2024/a.csv`, as a user asking for "the CSV files" means. A pattern with folders is matched whole.
  const isMatch = picomatch(glob, { dot: true });
  const matches = glob.includes('/') ? isMatch : (name: string) => isMatch(name.slice(name.lastIndexOf('/') + 1));
  return (name) => {
    if (!matches(name)) return undefined;
    const format = spec.format !== undefined ? formats.get(spec.format) : formats.fromName(name);
    if (format === undefined)
      throw new ConfigError(
        `cannot tell the format of this entry from its name; set source.format`,
        { file: display, entry: name },
        ERR.SOURCE_ZIP_ENTRY,
      );
    return format;
  };
}

function noEntryMessage(spec: SourceSpec, formats: FormatRegistry): string {
  if (spec.zip?.entries !== undefined) return `no entry of the archive matches "${spec.zip.entries}"`;
  if (spec.format === undefined) {
    const names = formats.names;
    return `the archive has no ${names.slice(0, -1).join(', ')}${names.length > 1 ? ' or ' : ''}${names.at(-1) ?? ''} entry`;
  }
  const format = formats.get(spec.format);
  const exts = format.entryExtensions.map((e) => `*${e}`).join(', ');
  return `the archive has no ${format.name} entry (${exts}); choose entries with source.zip.entries`;
}

export async function openZip(
  object: StoredObject,
  storage: Storage,
  spec: SourceSpec,
  formats: FormatRegistry = FORMATS,
): Promise<ZipArchive> {
  const display = object.display;
  const maxBytes = spec.zip?.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const maxRatio = spec.zip?.maxRatio ?? DEFAULT_MAX_RATIO;
  const choose = entryChooser(spec, display, formats);
  // Imported for archives only: the library is ~10 MB of RSS that a run of plain files does not need.
  const { default: StreamZipLib } = await import('node-stream-zip');
  const local = await storage.localFile(object);
  const zip = new StreamZipLib.async({ file: local.path });
  const close = async (): Promise<void> => {
    await zip.close().catch(() => undefined);
    await local.release();
  };
  // Entries in central-directory order; the library's name-keyed object would put numeric names first.
  const inOrder: StreamZip.ZipEntry[] = [];
  zip.on('entry', (entry: StreamZip.ZipEntry) => inOrder.push(entry));
  try {
    await zip.entriesCount;
  } catch (e) {
    await close();
    throw new SourceError(`not a readable ZIP archive: ${e instanceof Error ? e.message : String(e)}`, { file: display }, ERR.SOURCE_ZIP, {
      cause: e,
    });
  }

  const entries: ZipEntryInput[] = [];
  const skipped: string[] = [];
  try {
    for (const entry of inOrder) {
      if (entry.isDirectory) continue;
      const format = choose(entry.name);
      if (format === undefined) {
        skipped.push(entry.name);
        continue;
      }
      if (entry.size > maxBytes) {
        throw new SourceError(
          `entry declares ${entry.size} bytes uncompressed, more than source.zip.maxEntryBytes (${maxBytes})`,
          { file: display, entry: entry.name },
          ERR.SOURCE_ZIP,
        );
      }
      if (entry.size > inflateLimit(entry.compressedSize, maxBytes, maxRatio)) {
        throw new SourceError(
          `entry declares ${entry.size} bytes from ${entry.compressedSize} compressed, more than ${maxRatio} times (source.zip.maxRatio): a zip bomb, or raise the cap`,
          { file: display, entry: entry.name },
          ERR.SOURCE_LIMIT,
        );
      }
      entries.push({ name: entry.name, format, size: entry.size, compressedSize: entry.compressedSize, crc: entry.crc });
    }
    if (entries.length === 0) {
      // Like an empty glob: the pipeline's choice of entries does not fit this archive (exit 2).
      throw new ConfigError(noEntryMessage(spec, formats), { file: display }, ERR.SOURCE_ZIP_ENTRY);
    }
  } catch (e) {
    await close();
    throw e;
  }

  async function* open(entry: ZipEntryInput): AsyncGenerator<Buffer> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await zip.stream(entry.name);
    } catch (e) {
      throw new SourceError(
        `cannot open entry: ${e instanceof Error ? e.message : String(e)}`,
        { file: display, entry: entry.name },
        ERR.SOURCE_ZIP,
        { cause: e },
      );
    }
    let total = 0;
    // The header's sizes can lie: what the entry really inflates to is held to the same caps.
    const limit = inflateLimit(entry.compressedSize, maxBytes, maxRatio);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new SourceError(
          `entry inflates past source.zip.maxEntryBytes (${maxBytes} bytes); stopped reading it`,
          { file: display, entry: entry.name },
          ERR.SOURCE_ZIP,
        );
      }
      if (total > limit) {
        throw new SourceError(
          `entry inflates past ${maxRatio} times its ${entry.compressedSize} compressed bytes (source.zip.maxRatio); stopped reading it: a zip bomb, or raise the cap`,
          { file: display, entry: entry.name },
          ERR.SOURCE_LIMIT,
        );
      }
      yield chunk;
    }
  }

  return { display, entries, skipped, open, close };
}
