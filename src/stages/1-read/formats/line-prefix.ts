/**
 * The resume prefix of a line-based format (CSV, NDJSON): every record before the broken one
 * ends with a line break before the broken record's line, so the complete lines before it hold
 * them whole, and a repaired copy must begin with the same lines (`resume/break-prefix.ts`).
 */
import { hashLines, type BreakPrefix } from '../../../resume/break-prefix.js';
import type { Storage } from '../../../storage/storage.js';
import type { InputFile } from '../input-file.js';

export function linesBefore(input: InputFile, storage: Storage, line: number): Promise<BreakPrefix | undefined> {
  return hashLines(storage.openStream(input.object), input.compression === 'gzip', Math.max(0, line - 1));
}
