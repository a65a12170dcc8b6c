import type { SourceSpec } from '../config/pipeline-spec.js';
import { SourceError } from '../core/errors.js';
import { hashBytes, hashLines, type BreakPrefix } from '../resume/break-prefix.js';
import { identify, inputChangedError, inputChanges, type InputIdentity } from '../resume/input-identity.js';
import { readJournal, type Journal } from '../resume/journal.js';
import { STDIN, type InputFile } from '../stages/1-read/resolve-inputs.js';
import { openZip } from '../stages/1-read/zip-reader.js';
import { storageFor } from '../storage/index.js';

/**
 * Each input's identity now, through its own storage: the object's version and a fingerprint
 * of its ends (readRange), and for a local archive the entries the pipeline reads.
 */
export async function identifyInputs(inputs: readonly InputFile[], spec: SourceSpec): Promise<InputIdentity[]> {
  const out: InputIdentity[] = [];
  for (const input of inputs) {
    const { object } = input;
    if (object.location === STDIN) {
      out.push({ file: STDIN, size: 0, version: 'stdin', fingerprint: '' });
      continue;
    }
    const storage = storageFor(object.location, { s3: spec.s3 });
    let entries: InputIdentity['entries'];
    // A remote archive would be downloaded once more just for its directory: its version (ETag) and fingerprint stand for it.
    if (input.compression === 'zip' && storage.scheme === 'file') {
      const archive = await openZip(object, storage, spec);
      entries = archive.entries.map(({ name, crc, size }) => ({ name, crc, size }));
      await archive.close();
    }
    out.push(await identify(object, storage, entries));
  }
  return out;
}

/** Inputs whose records start on lines of their own, so the lines before a break hold those records whole. */
const lineBased = (input: InputFile): boolean =>
  input.compression !== 'zip' && input.object.location !== STDIN && (input.format === 'csv' || input.format === 'ndjson');

/** What a repaired input must begin with, the same as `prefix` measured it (see break-prefix.ts). */
function prefixLike(input: InputFile, spec: SourceSpec, prefix: BreakPrefix): Promise<BreakPrefix> {
  const stream = storageFor(input.object.location, { s3: spec.s3 }).openStream(input.object);
  return 'lines' in prefix ? hashLines(stream, input.compression === 'gzip', prefix.lines) : hashBytes(stream, prefix.bytes);
}

/**
 * At a break on `line`: for a line-based input, its lines before it; for Parquet (`line` is the
 * first row not handed out, in the broken row group: at its start, or past the pages read before
 * the bad one), the bytes before that row group's first column chunk, which hold every row group
 * before it.
 */
async function prefixAtBreak(input: InputFile, spec: SourceSpec, line: number): Promise<BreakPrefix | undefined> {
  if (lineBased(input)) return prefixLike(input, spec, { lines: Math.max(0, line - 1), hash: '' });
  if (input.format !== 'parquet' || input.compression !== 'none') return undefined;
  const storage = storageFor(input.object.location, { s3: spec.s3 });
  // Imported here, as the Parquet format does (`sources/formats/parquet.ts`): only Parquet inputs load hyparquet.
  const { openParquet } = await import('../stages/1-read/parquet/parquet-file.js');
  const file = await openParquet(input.object, storage, { file: input.object.display }).catch(() => undefined);
  if (file === undefined) return undefined;
  let first = 1;
  for (const group of file.metadata.row_groups) {
    const rows = Number(group.num_rows);
    if (line < first + rows) {
      const offsets = group.columns.map((c) => Number(c.meta_data?.dictionary_page_offset ?? c.meta_data?.data_page_offset ?? Number.NaN));
      const start = Math.min(...offsets);
      return Number.isFinite(start) ? prefixLike(input, spec, { bytes: start, hash: '' }) : undefined;
    }
    first += rows;
  }
  return undefined;
}

/**
 * The inputs' identities for the journal of a run about to start; when it resumes, first
 * refuses (exit 2, nothing sent) if they are not the ones the last attempt started on. The one
 * exception is an input that broke the run and was repaired: accepted when its lines before the
 * break are unchanged (see break-prefix.ts).
 */
export async function checkInputs(
  inputs: readonly InputFile[],
  spec: SourceSpec,
  resumeFrom: string | undefined,
): Promise<InputIdentity[]> {
  const now = await identifyInputs(inputs, spec);
  if (resumeFrom === undefined) return now;
  const state = await readJournal(resumeFrom);
  if (state.inputs === undefined) return now;
  for (const change of inputChanges(state.inputs, now)) {
    const prefix = state.breaks.get(change.file);
    const input = inputs.find((i) => i.object.display === change.file);
    const repaired =
      change.changed && prefix !== undefined && input !== undefined && (await prefixLike(input, spec, prefix)).hash === prefix.hash;
    if (!repaired) throw inputChangedError(change);
  }
  return now;
}

/**
 * A run stopping at a broken input notes in the journal what a repaired copy must begin with,
 * so that `--resume` can continue over the repaired file (CSV and NDJSON: the lines before the
 * break; Parquet: the row groups before it). Nothing is noted for inputs whose records can share
 * a line (JSON documents) or for archive entries: those must start over.
 */
export async function noteBreak(
  journal: Journal | undefined,
  failure: Error,
  inputs: readonly InputFile[],
  spec: SourceSpec,
): Promise<void> {
  if (journal === undefined || !(failure instanceof SourceError)) return;
  const { file, entry, line } = failure.context;
  const input = inputs.find((i) => i.object.display === file);
  if (input === undefined || entry !== undefined || line === undefined) return;
  const prefix = await prefixAtBreak(input, spec, line);
  if (prefix !== undefined) await journal.noteBreak(input.object.display, prefix);
}
