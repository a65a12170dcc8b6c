/**
 * Parents before children: records the API refused wait (deferred-passes.ts, spilling to disk
 * past a limit, spill-file.ts) and are sent again after the main stream (run-passes.ts); what is
 * still refused ends with the API's answer (refused.ts).
 */
export { DeferredPasses, SPILL_FILE_PREFIX, type DeferredPassesOptions } from './deferred-passes.js';
export { runDeferredPasses, type PassWiring } from '../../../run/run-passes.js';
export type { DeferredAnswer, DeferredEntry } from './refused.js';
