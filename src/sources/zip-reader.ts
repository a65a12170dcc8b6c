/**
 * ZIP archives: entries chosen by a glob, in archive order, each streamed (never extracted).
 * A ceiling on entry size guards against zip bombs: the declared size is checked before any
 * entry is read, the actual size while inflating (a crafted header can lie).
 */
import StreamZip from 'node-stream-zip';
import picomatch from 'picomatch';
import { ConfigError, SourceError } from '../core/errors.js';
import type { SourceFormat, SourceSpec } from '../config/pipeline-spec.js';
import { formatFromName } from './format.js';

export const DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 ** 3;

export interface ZipEntryInput {
  readonly name: string;
  readonly format: SourceFormat;
  /** Declared uncompressed size. */
  readonly size: number;
  readonly compressedSize: number;
}

export interface ZipArchive {
  /** The chosen entries, in archive order. */
  readonly entries: readonly ZipEntryInput[];
  /** The entry's uncompressed bytes; fails when they pass the ceiling. */
  open(entry: ZipEntryInput): AsyncGenerator<Buffer>;
  close(): Promise<void>;
}

/** Metadata a tool such as macOS Finder adds; never data, and it carries data-like names. */
function isArchiveJunk(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return name.startsWith('__MACOSX/') || base.startsWith('._');
}

export async function openZip(path: string, display: string, spec: SourceSpec): Promise<ZipArchive> {
  const maxBytes = spec.zip?.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const glob = spec.zip?.entries;
  // A pattern without a folder part is matched against the entry's base name: `*.csv` also picks
  // `exports/2024/a.csv`, as a user asking for "the CSV files" means. A pattern with folders is matched whole.
  const isMatch = glob !== undefined ? picomatch(glob, { dot: true }) : undefined;
  const matches =
    isMatch === undefined || glob === undefined ? undefined : glob.includes('/') ? isMatch : (name: string) => isMatch(name.slice(name.lastIndexOf('/') + 1));
  const zip = new StreamZip.async({ file: path });
  // Entries in central-directory order; the library's name-keyed object would put numeric names first.
  const inOrder: StreamZip.ZipEntry[] = [];
  zip.on('entry', (entry: StreamZip.ZipEntry) => inOrder.push(entry));
  try {
    await zip.entriesCount;
  } catch (e) {
    await zip.close().catch(() => undefined);
    throw new SourceError(`not a readable ZIP archive: ${e instanceof Error ? e.message : String(e)}`, { file: display }, 'ETL_SOURCE_ZIP', { cause: e });
  }

  const entries: ZipEntryInput[] = [];
  try {
    for (const entry of inOrder) {
      if (entry.isDirectory) continue;
      if (matches !== undefined ? !matches(entry.name) : isArchiveJunk(entry.name)) continue;
      const format = spec.format ?? formatFromName(entry.name);
      if (format === undefined) {
        if (matches === undefined) continue;
        throw new ConfigError(`cannot tell the format of this entry from its name; set source.format`, { file: display, entry: entry.name }, 'ETL_SOURCE_ZIP_ENTRY');
      }
      if (entry.size > maxBytes) {
        throw new SourceError(
          `entry declares ${entry.size} bytes uncompressed, more than source.zip.maxEntryBytes (${maxBytes})`,
          { file: display, entry: entry.name },
          'ETL_SOURCE_ZIP',
        );
      }
      entries.push({ name: entry.name, format, size: entry.size, compressedSize: entry.compressedSize });
    }
    if (entries.length === 0) {
      // Like an empty glob: the pipeline's choice of entries does not fit this archive (exit 2).
      throw new ConfigError(
        glob !== undefined ? `no entry of the archive matches "${glob}"` : 'the archive has no CSV, NDJSON or JSON entry',
        { file: display },
        'ETL_SOURCE_ZIP_ENTRY',
      );
    }
  } catch (e) {
    await zip.close().catch(() => undefined);
    throw e;
  }

  async function* open(entry: ZipEntryInput): AsyncGenerator<Buffer> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await zip.stream(entry.name);
    } catch (e) {
      throw new SourceError(`cannot open entry: ${e instanceof Error ? e.message : String(e)}`, { file: display, entry: entry.name }, 'ETL_SOURCE_ZIP', { cause: e });
    }
    let total = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new SourceError(
          `entry inflates past source.zip.maxEntryBytes (${maxBytes} bytes); stopped reading it`,
          { file: display, entry: entry.name },
          'ETL_SOURCE_ZIP',
        );
      }
      yield chunk;
    }
  }

  return { entries, open, close: () => zip.close() };
}
