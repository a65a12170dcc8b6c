/**
 * The head of every input read before the run sends anything: an input in another encoding than
 * the pipeline says (bytes that are not UTF-8 in its first 64 KiB) is exit 2 with nothing sent,
 * even when it is the last file of a glob or the last entry of an archive. The source stream
 * checks each head as it reads; the first file or entry (and stdin) is left to that check alone.
 */
import { ConfigError, ERR } from '../../core/errors.js';
import type { SourceSpec } from '../../config/pipeline-spec.js';
import { STDIN, storageFor } from '../../storage/index.js';
import { FORMATS, type FormatRegistry } from './formats/index.js';
import { ByteMeter, inputParts } from './input-parts.js';
import type { InputFile } from './input-file.js';

export async function checkEncodings(inputs: readonly InputFile[], spec: SourceSpec, formats: FormatRegistry): Promise<void> {
  for (const [i, input] of inputs.entries()) {
    // The first part (file or entry) is read first: the source stream's own check of its head comes before any of its records.
    if ((i === 0 && input.compression !== 'zip') || !isCheckedText(input, formats)) continue;
    await checkParts(input, spec, formats, i === 0 ? 'after-first' : 'all');
  }
}

/**
 * The first part's head too: for a run that reaches its target (the token) before it reads, so
 * that an input in another encoding is still exit 2 before any connection. Stdin is left to
 * the source stream (it cannot be read twice).
 */
export async function checkFirstEncoding(inputs: readonly InputFile[], spec: SourceSpec, formats: FormatRegistry = FORMATS): Promise<void> {
  const first = inputs[0];
  if (first !== undefined && isCheckedText(first, formats)) await checkParts(first, spec, formats, 'first');
}

function isCheckedText(input: InputFile, formats: FormatRegistry): boolean {
  return input.object.location !== STDIN && (input.format === null || formats.get(input.format).kind === 'text');
}

async function checkParts(
  input: InputFile,
  spec: SourceSpec,
  formats: FormatRegistry,
  which: 'all' | 'after-first' | 'first',
): Promise<void> {
  const ctx = { spec, formats, meter: new ByteMeter(), skipped: [] };
  let index = 0;
  for await (const part of inputParts(input, storageFor(input.object.location, { s3: spec.s3 }), ctx)) {
    const n = index++;
    if (which === 'after-first' && n === 0) continue;
    if (which === 'first' && n > 0) return;
    if (!part.decoded) continue;
    const items = part.items[Symbol.asyncIterator]();
    try {
      // The first batch comes only after the head was decoded and checked.
      await items.next();
    } catch (e) {
      // A break in the data (corrupt gzip, a bad row) is met by the run in its turn, after the records before it.
      if (e instanceof ConfigError && e.code === ERR.SOURCE_ENCODING.code) throw e;
    } finally {
      await items.return?.(undefined);
    }
  }
}
