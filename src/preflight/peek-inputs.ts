/**
 * Every input the run will read (each object of a glob, each chosen entry of an archive), opened
 * in turn for a peek at its start, through the same storage and archive code as the run. Only
 * the first bytes are read; each input is closed before the next is opened. Standard input is
 * left out: what a peek took from it would be lost to the run.
 */
import type { SourceSpec } from '../config/pipeline-spec.js';
import { gunzipIfNeeded } from '../stages/1-read/decompress.js';
import { DEFAULT_FORMAT, FORMATS, type FormatRegistry } from '../stages/1-read/formats/index.js';
import type { InputFile } from '../stages/1-read/resolve-inputs.js';
import { openZip } from '../stages/1-read/zip-reader.js';
import { STDIN, storageFor, type Storage, type StoredObject } from '../storage/index.js';
import type { PeekInput } from '../stages/1-read/formats/input-columns.js';

/** Yields each input in run order; the caller peeks at it before asking for the next. */
export async function* peekInputs(
  inputs: readonly InputFile[],
  spec: SourceSpec,
  formats: FormatRegistry = FORMATS,
): AsyncGenerator<PeekInput> {
  for (const input of inputs) {
    const { object } = input;
    if (object.location === STDIN) continue;
    const storage = storageFor(object.location, { s3: spec.s3 });
    if (input.compression === 'zip') {
      const archive = await openZip(object, storage, spec, formats);
      try {
        for (const entry of archive.entries) {
          yield {
            where: { file: object.display, entry: entry.name },
            format: entry.format.name,
            spec,
            bytes: gunzipIfNeeded(archive.open(entry), 'detect'),
          };
        }
      } finally {
        await archive.close().catch(() => undefined);
      }
      continue;
    }
    const bytes = gunzipIfNeeded(streamOf(storage, object), input.compression === 'gzip' ? 'gzip' : 'none');
    yield { where: { file: object.display }, format: input.format ?? DEFAULT_FORMAT, spec, bytes, object, storage };
  }
}

/** A generator, so the object is only opened when a peeker starts reading it. */
async function* streamOf(storage: Storage, object: StoredObject): AsyncGenerator<Buffer> {
  yield* storage.openStream(object) as AsyncIterable<Buffer>;
}
