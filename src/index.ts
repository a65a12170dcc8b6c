/**
 * propel-etl as a library: the same runs as the CLI, from code, given the same files.
 *
 *   import { runPipeline, runJob } from 'propel-etl';
 *   const result = await runPipeline({ pipeline: 'pipelines/users.yaml', target: 'local' });
 *   const job = await runJob({ job: 'pipelines/nightly.yaml', target: 'local' });
 *
 * README's "Library" section documents the options and results; test/docs/readme-library.test.ts
 * compiles and runs its examples against this entry as a consumer's project resolves it.
 */
export { runPipeline, type RunPipelineOptions, type RunResult, type RunEvent } from './run/run-pipeline.js';
export { runJob, type JobOptions, type JobResult, type JobStepResult, type JobStepEvent } from './run/run-job.js';
export type { LoadedJob } from './run/run-file.js';
export type { TargetChoice } from './run/connect-target.js';
export { MetricsOutput, type MetricsOptions, type MetricsWarning } from './outputs/metrics/metrics-output.js';
export type { RunSummary, RunStatus, RunMode } from './outcomes/summary.js';
export { loadRunFile, loadPipeline, loadJob, loadTarget, type RunFile, type JobFile, type TargetSpec } from './config/index.js';
export type { PipelineSpec, SourceSpec, MappingObject, FieldSpec } from './config/pipeline-spec.js';
export { startEmulator, type Emulator, type EmulatorOptions } from './emulator/index.js';
export {
  EtlError,
  ConfigError,
  SourceError,
  AuthError,
  TransportError,
  RejectBudgetError,
  InterruptedError,
  InternalError,
  EXIT,
  ERR,
  type ExitCode,
  type ErrorCode,
} from './core/errors.js';
export type { Provenance, Stage, RejectEvent, ResultEvent } from './core/record.js';
