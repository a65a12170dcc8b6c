import { join } from 'node:path';
import { EXIT, OutputError, type EtlError, type ExitCode } from '../core/errors.js';
import { readRejectGroups, topRejectKinds } from '../outcomes/reject-groups.js';
import type { Run } from './open-run.js';
import type { RunResult } from './run-types.js';
import { RUN_OUTPUTS, type RunEnd } from './outputs.js';
import { buildSummary, type RunStatus } from '../outcomes/summary.js';
import { reportingOf } from './measured.js';

export function exitCodeOf(status: RunStatus, error: EtlError | undefined, rejected: number): ExitCode {
  if (status === 'aborted') return error?.exitCode ?? EXIT.aborted;
  if (status === 'interrupted') return EXIT.interrupted;
  return rejected > 0 ? EXIT.rejects : EXIT.ok;
}

/** The exit code, then every output in RUN_OUTPUTS (summary.json, report.html, the end event). */
export async function finishRun(run: Run, status: RunStatus, error: EtlError | undefined, emit: RunEnd['emit']): Promise<RunResult> {
  const exitCode = exitCodeOf(status, error, run.counts.totalRejected);
  const endedAt = new Date();
  run.recorder.stop();
  // Read at the end rather than counted in the sink: no work on the hot path, and a resumed run's
  // rejects.ndjson holds every attempt's rejects.
  const rejects = await readRejectGroups(join(run.outDir, 'rejects.ndjson'));
  const summary = buildSummary({
    runId: run.runId,
    pipeline: run.spec.name,
    resource: run.spec.resource,
    mode: run.mode,
    target: run.target?.name ?? null,
    status,
    exitCode,
    attempt: run.attempt,
    startedAt: run.startedAt,
    endedAt,
    counts: run.counts,
    ...run.stats,
    ...(run.delta !== undefined ? { delta: { filterCpuMs: run.delta.filterTime.ms, report: run.delta.report() } } : {}),
    topRejects: topRejectKinds(rejects),
    warnings: [...run.mappedPaths.warnings(run.inputs), ...(run.delta?.inputWarnings ?? [])],
    skippedEntries: run.skippedEntries,
    ...(error !== undefined ? { error } : {}),
  });
  const end: RunEnd = {
    summary,
    outDir: run.outDir,
    recorder: run.recorder,
    rejects,
    emit,
    ...(run.delta !== undefined ? { delta: run.delta } : {}),
    ...(error !== undefined ? { error } : {}),
    ...reportingOf(run.opts, run.mode),
  };
  try {
    for (const output of RUN_OUTPUTS) {
      try {
        await output(end);
      } catch (e) {
        // A full disk that stopped the run fails its files too: the line to read is why the run
        // stopped, and the outputs after (the end event) still tell it. Files are whole or absent.
        if (e instanceof OutputError && error !== undefined) continue;
        throw e;
      }
    }
  } finally {
    // Held to the end: orphans.ndjson is written from it, and the next run waits for its lock.
    await run.delta?.close(status, run.counts);
  }
  return { exitCode, status, summary, outDir: run.outDir, rejects, ...(error !== undefined ? { error } : {}) };
}
