import { writeWhole } from '../core/private-file.js';
import { join } from 'node:path';
import type { EtlError } from '../core/errors.js';
import type { RejectGroupsResult } from '../outcomes/reject-groups.js';
import type { RunRecorder } from '../outputs/report/run-recorder.js';
import { writeReport } from '../outputs/report/write-report.js';
import type { RunSummary } from '../outcomes/summary.js';
import type { DeltaRun } from '../stages/5-delta/delta-run.js';
import type { MetricsOutput } from '../outputs/metrics/metrics-output.js';
import { metricsOfSummary } from '../outputs/metrics/run-metrics.js';

/** What a finished run hands to each of its outputs. */
export interface RunEnd {
  readonly summary: RunSummary;
  readonly outDir: string;
  readonly recorder: RunRecorder;
  readonly rejects: RejectGroupsResult;
  /** `delta:`: the state, still open, for orphans.ndjson. */
  readonly delta?: Pick<DeltaRun, 'writeOrphans'>;
  /** Why the run stopped early (status aborted): the end event carries it, so a log line can give its code and where. */
  readonly error?: EtlError;
  /** Where this run's metrics go, when they were asked for (run mode), and its `target` label. */
  readonly metrics?: { readonly output: MetricsOutput; readonly target: string };
  /** The caller's event hook (the CLI's logger, a library user). */
  readonly emit: (e: {
    readonly type: 'end';
    readonly summary: RunSummary;
    readonly outDir: string;
    readonly rejects: RejectGroupsResult;
    readonly error?: EtlError;
  }) => void;
}

/** One thing written or told at the end of a run. */
export type RunOutput = (end: RunEnd) => Promise<void> | void;

export const SUMMARY_FILE = 'summary.json';

// Whole or not at all, never through a planted link: a full disk leaves the last summary, not an empty one.
const summaryJson: RunOutput = (e) => writeWhole(join(e.outDir, SUMMARY_FILE), JSON.stringify(e.summary, null, 2) + '\n');
const reportHtml: RunOutput = (e) => writeReport(e.outDir, e.summary, e.recorder, e.rejects);
const orphansNdjson: RunOutput = async (e) => {
  await e.delta?.writeOrphans(e.outDir);
};
/** The run's gauges for Prometheus: pushed to its Pushgateway group and/or written to the metrics file. */
const metrics: RunOutput = (e) => e.metrics?.output.record(metricsOfSummary(e.summary, e.metrics.target));
const endEvent: RunOutput = (e) =>
  e.emit({ type: 'end', summary: e.summary, outDir: e.outDir, rejects: e.rejects, ...(e.error !== undefined ? { error: e.error } : {}) });

/** Every output, in order; the end event last, once the files it points at exist. Add an output here. */
export const RUN_OUTPUTS: readonly RunOutput[] = [summaryJson, orphansNdjson, reportHtml, metrics, endEvent];
