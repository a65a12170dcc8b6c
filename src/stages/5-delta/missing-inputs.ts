/**
 * A night whose export has fewer inputs than the last completed night's: one part file of four
 * missing looks like a quarter of the users gone (their keys become orphans), and nothing else
 * would say so. Inputs are compared by base name, as dated folders (`users/2026-12-01/part-0001.csv`)
 * change the rest of the path every night; when every name changed, only the count is told.
 */
import { basename } from 'node:path';

const NAMED = 5;

export function missingInputs(last: readonly string[] | undefined, now: readonly string[]): string | undefined {
  if (last === undefined || now.length >= last.length) return undefined;
  const present = new Set(now.map((n) => basename(n)));
  const gone = last.filter((n) => !present.has(basename(n))).map((n) => basename(n));
  const which =
    gone.length === 0 || gone.length === last.length
      ? ''
      : `; missing: ${gone.slice(0, NAMED).join(', ')}${gone.length > NAMED ? `, and ${gone.length - NAMED} more` : ''}`;
  return `this export has ${now.length} input${now.length === 1 ? '' : 's'}, the last completed run read ${last.length}${which} (a partial export? the missing part's keys count as orphans)`;
}
