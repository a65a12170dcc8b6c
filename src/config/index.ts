/** Loading pipeline files, job files and targets. */
export { loadRunFile, loadPipeline, loadJob, DEFAULTS, type RunFile, type JobFile, type LoadOptions } from './load-pipeline.js';
export { isLoopbackHost } from '../core/loopback.js';
export { loadTarget, findTargetsFile, type TargetSpec, type TargetOptions, type EmbeddedStore } from './load-target.js';
export { parseSize, parseAgeMs, parseDurationMs, parseRate, parseMaxRejects, InvalidValueError } from './normalise.js';
export { parseVarAssignments, substitute, varLookup, type VarLookup } from './substitute-vars.js';
export type * from './pipeline-spec.js';
