import type { SourceSpec } from '../config/pipeline-spec.js';
import { SourceError } from '../core/errors.js';
import { hashBytes, hashLines, type BreakPrefix } from '../resume/break-prefix.js';
import { identify, inputChangedError, inputChanges, type InputIdentity } from '../resume/input-identity.js';
import { readJournal, type Journal } from '../resume/journal.js';
import { STDIN, type InputFile } from '../stages/1-read/resolve-inputs.js';
import { FORMATS } from '../stages/1-read/formats/index.js';
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

/** What a repaired input must begin with, the same as `prefix` measured it (see break-prefix.ts). */
function prefixLike(input: InputFile, spec: SourceSpec, prefix: BreakPrefix): Promise<BreakPrefix> {
  const stream = storageFor(input.object.location, { s3: spec.s3 }).openStream(input.object);
  return 'lines' in prefix ? hashLines(stream, input.compression === 'gzip', prefix.lines) : hashBytes(stream, prefix.bytes);
}

/**
 * At a break on `line`: what the input's format says a repaired copy must keep (CSV and NDJSON:
 * the lines before it; Parquet: the row groups before it). Stdin cannot be read again, and an
 * archive's entries start over.
 */
function prefixAtBreak(input: InputFile, spec: SourceSpec, line: number): Promise<BreakPrefix | undefined> {
  if (input.compression === 'zip' || input.object.location === STDIN || input.format === null) return Promise.resolve(undefined);
  const format = FORMATS.get(input.format);
  if (format.resumePrefix === undefined) return Promise.resolve(undefined);
  return format.resumePrefix(input, storageFor(input.object.location, { s3: spec.s3 }), line);
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
