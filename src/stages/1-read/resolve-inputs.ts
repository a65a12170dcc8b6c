/**
 * Turns `source.path` into the list of objects to read, before anything is sent: a glob is
 * listed by the path's storage (sorted, so part files read in a stable order), every object must
 * exist, and each one's format and compression are settled here so a wrong name fails the run at
 * exit 2. A ZIP archive's central directory is read here too (not its entries' data), so an
 * archive that cannot be listed, or has no entry to read, also fails before the first request;
 * so does an input whose first 64 KiB are not in the pipeline's encoding (`check-encoding.ts`).
 */
import picomatch from 'picomatch';
import { ERR, ConfigError } from '../../core/errors.js';
import type { SourceSpec } from '../../config/pipeline-spec.js';
import { STDIN, STDIN_OBJECT, storageFor, type Storage, type StoredObject } from '../../storage/index.js';
import { checkEncodings } from './check-encoding.js';
import { compressionFromMagic, compressionFromName } from './compression.js';
import { DEFAULT_FORMAT, FORMATS, type FormatRegistry } from './formats/index.js';
import type { ParsedItem } from './reader.js';
import type { InputFile } from './input-file.js';
import { withEntryFile } from './zip-entry-file.js';
import { openZip } from './zip-reader.js';

export type { InputFile } from './input-file.js';

export { STDIN };

export interface ResolveOptions {
  /** The formats to know (the built-in ones by default). */
  readonly formats?: FormatRegistry;
  /** The mapping's source columns: a binary format checks its objects have them (exit 2 otherwise). */
  readonly columns?: readonly string[];
}

async function describeObject(
  object: StoredObject,
  storage: Storage,
  spec: SourceSpec,
  formats: FormatRegistry,
  columns: readonly string[] | undefined,
): Promise<InputFile> {
  const display = object.display;
  let compression = compressionFromName(object.location);
  if (compression === 'none') compression = compressionFromMagic(await storage.readRange(object, 0, 4));
  const format = spec.format !== undefined ? formats.get(spec.format) : formats.fromName(object.location);
  if (format === undefined && compression !== 'zip') {
    throw new ConfigError(`cannot tell the format from the file name; set source.format (${formats.names.join(', ')})`, {
      file: display,
      key: 'source.format',
    });
  }
  if (format?.kind === 'binary' && compression !== 'none') {
    throw new ConfigError(
      `${format.name} needs random access and cannot be read from a ${compression} file`,
      { file: display, key: 'source.format' },
      ERR.SOURCE_FORMAT,
    );
  }
  if (compression === 'zip') await checkArchive(object, storage, spec, formats, columns);
  // A binary format's footer is checked now (its columns, codecs), in every file: nothing is sent when one is wrong.
  if (format?.kind === 'binary' && compression === 'none') await format.check(object, storage, spec, { file: display }, { columns });
  return { object, format: format?.name ?? null, compression };
}

/**
 * Lists the archive the way the reader will (same entry choice, same declared-size ceiling) and
 * closes it again, so a bad archive stops the run before anything is sent: a corrupt archive or
 * a declared zip bomb as a broken input (SourceError, exit 3, as for a corrupt gzip), entries the
 * pipeline cannot use as a configuration error (exit 2). The source stream opens it anew, so no
 * file handle outlives this check.
 */
async function checkArchive(
  object: StoredObject,
  storage: Storage,
  spec: SourceSpec,
  formats: FormatRegistry,
  columns: readonly string[] | undefined,
): Promise<void> {
  const archive = await openZip(object, storage, spec, formats);
  try {
    // A binary entry's footer is at its end: it is extracted (to a private temporary file) to be checked.
    for (const entry of archive.entries) {
      const format = entry.format;
      if (format.kind !== 'binary') continue;
      const where = { file: object.display, entry: entry.name };
      // withEntryFile hands its file to a reader; this one only checks the entry, so it yields nothing.
      // eslint-disable-next-line require-yield
      const check = async function* (o: StoredObject, s: Storage): AsyncGenerator<ParsedItem[]> {
        await format.check(o, s, spec, where, { columns });
      };
      for await (const _ of withEntryFile(archive, entry, check)) void _;
    }
  } finally {
    await archive.close();
  }
}

export async function resolveInputs(spec: SourceSpec, baseDir: string, options: ResolveOptions = {}): Promise<InputFile[]> {
  const formats = options.formats ?? FORMATS;
  const written = spec.path;
  if (written === STDIN) {
    const format = formats.get(spec.format ?? DEFAULT_FORMAT);
    if (format.kind === 'binary')
      throw new ConfigError(
        `${format.name} needs random access and cannot be read from stdin; pass the file's path instead of -`,
        { file: STDIN, key: 'source.format' },
        ERR.SOURCE_FORMAT,
      );
    return [{ object: STDIN_OBJECT, format: format.name, compression: 'none' }];
  }
  const storage = storageFor(written, { s3: spec.s3 });
  if (!picomatch.scan(written).isGlob) {
    const files = [await describeObject(await storage.stat(written, baseDir), storage, spec, formats, options.columns)];
    await checkEncodings(files, spec, formats);
    return files;
  }
  const objects = await storage.list(written, baseDir);
  if (objects.length === 0) {
    throw new ConfigError(
      `no ${storage.scheme === 's3' ? 'object' : 'file'} matches the pattern`,
      { file: written, key: 'source.path' },
      ERR.SOURCE_MISSING,
    );
  }
  const files: InputFile[] = [];
  for (const object of objects) files.push(await describeObject(object, storage, spec, formats, options.columns));
  await checkEncodings(files, spec, formats);
  return files;
}
