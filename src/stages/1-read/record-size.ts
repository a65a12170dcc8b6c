/**
 * The longest record a text input may hold: a CSV record (a quote left open makes one of the whole
 * rest of the file) or an NDJSON line. Held whole until it ends, so it is capped before memory is
 * spent on it; past the cap the input stops (exit 3) naming the line, the cap and how to raise it.
 */
import type { SourceSpec } from '../../config/pipeline-spec.js';
import { ERR, SourceError } from '../../core/errors.js';
import type { ReaderContext } from './reader.js';

export const DEFAULT_MAX_RECORD_CHARS = 16 * 1024 * 1024;

export function maxRecordChars(spec: Pick<SourceSpec, 'maxRecordSize'>): number {
  return spec.maxRecordSize ?? DEFAULT_MAX_RECORD_CHARS;
}

/** The stop for a line past the cap, naming where. */
export function lineTooLong(where: ReaderContext): (line: number, maxChars: number) => never {
  return (line, maxChars) => {
    throw new SourceError(
      `a line starting here is longer than ${maxChars} characters (source.maxRecordSize); raise it if such lines are meant`,
      { ...where, line },
      ERR.SOURCE_LIMIT,
    );
  };
}
