/**
 * What the library's two entry points take, report and return (`runPipeline`, `runJob`), in one
 * place: the run's modules and the CLI name these types without importing each other.
 */
import type { EtlError, ExitCode } from '../core/errors.js';
import type { RejectGroupsResult } from '../outcomes/reject-groups.js';
import type { RunStatus, RunSummary } from '../outcomes/summary.js';
import type { ProgressSnapshot } from '../outputs/progress/run-probe.js';
import type { SendEvent } from '../stages/7-send/send-event.js';
import type { OpenRunOptions } from './open-run.js';
import type { LoadedJob } from './run-file.js';

export interface RunPipelineOptions extends Omit<OpenRunOptions, 'onSend'> {
  /** Aborting it stops the run: no new request starts, what is in flight settles, then the run ends as interrupted (exit 130). */
  readonly stop?: AbortSignal;
  readonly onEvent?: (e: RunEvent) => void;
}

export type RunEvent =
  | {
      readonly type: 'start';
      readonly runId: string;
      readonly pipeline: string;
      readonly outDir: string;
      readonly attempt: number;
      readonly target: string | null;
      readonly progress: () => ProgressSnapshot;
    }
  | { readonly type: 'send'; readonly event: SendEvent }
  /** Something went wrong beside the import (a lock taken over, the metrics not pushed): reported, the exit code unchanged. */
  | { readonly type: 'warning'; readonly code?: string; readonly message: string }
  | {
      readonly type: 'end';
      readonly summary: RunSummary;
      readonly outDir: string;
      readonly rejects: RejectGroupsResult;
      readonly error?: EtlError;
    };

export interface RunResult {
  readonly exitCode: ExitCode;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  readonly outDir: string;
  /** Rejects grouped by stage and reason, largest first, each with its first example (report.html has them too). */
  readonly rejects: RejectGroupsResult;
  /** Why the run stopped early (status aborted). */
  readonly error?: EtlError;
}

export interface JobOptions extends Omit<RunPipelineOptions, 'pipeline'> {
  /** The job file's path (relative to `cwd`), or the job loadRunFile or loadJob loaded. */
  readonly job: string | LoadedJob;
  /** Before each step: its 1-based number (so a job resumed at step 2 names step 2), and whether it runs or was completed earlier. */
  readonly onStep?: (s: JobStepEvent) => void;
}

export interface JobStepEvent {
  readonly step: number;
  readonly steps: number;
  readonly file: string;
  readonly status: 'running' | 'skipped';
}

export interface JobStepResult {
  readonly step: string;
  readonly outDir: string;
  readonly exitCode: ExitCode;
  /** `skipped`: completed by an earlier attempt (--resume); `not-run`: an earlier step aborted the job. */
  readonly status: RunResult['status'] | 'skipped' | 'not-run';
  /** What the step did (absent for steps not run). */
  readonly counts?: RunSummary['counts'];
}

export interface JobResult {
  readonly exitCode: ExitCode;
  readonly outDir: string;
  readonly steps: readonly JobStepResult[];
  /** The results of the steps this attempt ran, in order. */
  readonly runs: readonly RunResult[];
}
