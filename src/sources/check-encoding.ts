/**
 * The head of every input read before the run sends anything: an input in another encoding than
 * the pipeline says (bytes that are not UTF-8 in its first 64 KiB) is exit 2 with nothing sent,
 * even when it is the last file of a glob or the last entry of an archive. The source stream
 * checks each head as it reads; the first file or entry (and stdin) is left to that check alone.
 */
import { ConfigError } from '../core/errors.js';
import type { SourceSpec } from '../config/pipeline-spec.js';
import { STDIN, storageFor } from '../storage/index.js';
import type { FormatRegistry } from './formats/index.js';
import { ByteMeter, inputParts } from './input-parts.js';
import type { InputFile } from './resolve-inputs.js';
import { ENCODING_ERROR } from './utf8-check.js';

export async function checkEncodings(inputs: readonly InputFile[], spec: SourceSpec, formats: FormatRegistry): Promise<void> {
  for (const [i, input] of inputs.entries()) {
    // The first part (file or entry) is read first: the source stream's own check of its head comes before any of its records.
    if ((i === 0 && input.compression !== 'zip') || input.object.location === STDIN || (input.format !== null && formats.get(input.format).kind !== 'text')) continue;
    const ctx = { spec, formats, meter: new ByteMeter(), skipped: [] };
    let firstPart = i === 0;
    for await (const part of inputParts(input, storageFor(input.object.location, { s3: spec.s3 }), ctx)) {
      if (firstPart) {
        firstPart = false;
        continue;
      }
      if (!part.decoded) continue;
      const items = part.items[Symbol.asyncIterator]();
      try {
        // The first batch comes only after the head was decoded and checked.
        await items.next();
      } catch (e) {
        // A break in the data (corrupt gzip, a bad row) is met by the run in its turn, after the records before it.
        if (e instanceof ConfigError && e.code === ENCODING_ERROR) throw e;
      } finally {
        await items.return?.(undefined);
      }
    }
  }
}
