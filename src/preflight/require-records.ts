/**
 * A run that read no record at all: empty or header-only files are the classic sign of an
 * upstream export that failed, and must not end like a quiet night (exit 0). Exit 3 unless the
 * pipeline says `source: { allowEmpty: true }`.
 */
import type { SourceSpec } from '../config/pipeline-spec.js';
import { ERR, SourceError } from '../core/errors.js';
import type { InputFile } from '../stages/1-read/resolve-inputs.js';

const NAMED = 5;

export function describeInputs(inputs: readonly InputFile[]): string {
  const names = inputs.slice(0, NAMED).map((i) => i.object.display);
  return names.join(', ') + (inputs.length > NAMED ? ` and ${inputs.length - NAMED} more` : '');
}

export interface ReadOutcome {
  /** Every record read, rejected at read or not, over all attempts. */
  readonly read: number;
  readonly inputs: readonly InputFile[];
  readonly source: SourceSpec;
  /** `limit: 0` asked for nothing, and a run stopped by a signal before its first record is interrupted, not empty. */
  readonly limit?: number | undefined;
  readonly stopped: boolean;
}

/** Throws when the inputs held no record at all. */
export function requireRecords({ read, inputs, source, limit, stopped }: ReadOutcome): void {
  if (read > 0 || source.allowEmpty === true || limit === 0 || stopped) return;
  throw new SourceError(
    `no records in ${describeInputs(inputs)} (empty or header-only; a failed export upstream? set source.allowEmpty: true if an empty input is normal)`,
    {},
    ERR.SOURCE_EMPTY,
  );
}
