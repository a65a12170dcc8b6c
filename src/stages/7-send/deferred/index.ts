/**
 * Parents before children: records the API refused wait (deferred-passes.ts, spilling to disk
 * past a limit, spill-file.ts) and are sent again after the main stream (the run's
 * `src/run/run-passes.ts` wires those passes); what is
 * still refused ends with the API's answer (refused.ts).
 */
export { DeferredPasses, SPILL_FILE_PREFIX, type DeferredPassesOptions } from './deferred-passes.js';
export type { DeferredAnswer, DeferredEntry } from './refused.js';
