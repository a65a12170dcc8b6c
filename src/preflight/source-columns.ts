/**
 * Before the first request: every column the mapping reads is in every input the run will
 * read (each file of a glob, each entry of an archive), as far as the input's format tells its
 * columns up front (a CSV header, a schema). A renamed export column then stops the run with
 * exit 2 instead of importing every record without that field.
 */
import type { PipelineSpec } from '../config/pipeline-spec.js';
import { formatKeyPath } from '../config/key-path.js';
import { lineInPipeline } from '../config/spec-lines.js';
import { ERR, ConfigError } from '../core/errors.js';
import { walkMapping } from '../config/walk-mapping.js';
import type { InputFile } from '../stages/1-read/resolve-inputs.js';
import { findMissingColumn, type MappedRead, type MissingColumn } from './check-columns.js';
import { FORMATS } from '../stages/1-read/formats/index.js';
import type { InputColumns } from '../stages/1-read/formats/input-columns.js';
import { peekInputs } from './peek-inputs.js';

export function mappedReads(spec: PipelineSpec): MappedRead[] {
  const reads: MappedRead[] = [];
  for (const part of walkMapping(spec.mapping)) if (part.kind === 'read') reads.push({ path: part.path, from: part.from });
  return reads;
}

/** Throws a ConfigError (exit 2) for the first input lacking a mapped column. */
export async function checkSourceColumns(spec: PipelineSpec, inputs: readonly InputFile[]): Promise<void> {
  const reads = mappedReads(spec);
  if (reads.length === 0) return;
  const missing = await firstMissing(reads, spec, inputs);
  if (missing === undefined) return;
  const keyPath = ['mapping', ...missing.read.path];
  throw new ConfigError(
    missing.message,
    { file: spec.file, line: lineInPipeline(spec, keyPath), key: formatKeyPath(keyPath) },
    ERR.CONFIG_SOURCE_COLUMN,
  );
}

async function firstMissing(
  reads: readonly MappedRead[],
  spec: PipelineSpec,
  inputs: readonly InputFile[],
): Promise<MissingColumn | undefined> {
  try {
    for await (const input of peekInputs(inputs, spec.source)) {
      // Formats whose columns are known before their records say how to read them (`peekColumns`).
      const peek = FORMATS.get(input.format).peekColumns;
      if (peek === undefined) continue;
      let columns: InputColumns | undefined;
      try {
        columns = await peek(input);
      } catch {
        // An input that breaks this early (corrupt gzip, a header that does not parse) is a broken
        // input, not a wrong mapping: the run meets it where it reads it and says so (exit 3, resumable).
        continue;
      }
      // Empty: nothing to check here; a run that reads no record at all is refused at its end.
      if (columns === undefined) continue;
      const missing = findMissingColumn(reads, columns, spec.source.csv?.delimiter ?? ',');
      if (missing !== undefined) return missing;
    }
  } catch {
    // The archive could not be opened again: the same, left to the run.
  }
  return undefined;
}
