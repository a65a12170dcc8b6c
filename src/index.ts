/**
 * propel-etl as a library: the same runs as the CLI, from code.
 *
 *   import { runPipeline } from 'propel-etl';
 *   const result = await runPipeline({ pipeline: 'pipelines/users.yaml', target: 'local' });
 *   if (result.exitCode !== 0) console.log(result.summary.counts);
 */
export { runPipeline, type RunPipelineOptions, type RunResult, type RunEvent } from './run/run-pipeline.js';
export { runJob, type JobOptions, type JobResult, type JobStepResult } from './run/run-job.js';
export type { TargetChoice } from './run/connect-target.js';
export { MetricsOutput, type MetricsOptions, type MetricsWarning } from './outputs/metrics/metrics-output.js';
export type { RunSummary, RunStatus, RunMode } from './outcomes/summary.js';
export { loadRunFile, loadPipeline, loadTarget, type RunFile, type TargetSpec } from './config/index.js';
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
