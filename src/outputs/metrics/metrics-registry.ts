import type { Gauge, Registry } from 'prom-client';
import { STAGES } from '../../outcomes/index.js';
import { RECORD_OUTCOMES, succeeded, type RunMetrics } from './run-metrics.js';

/** The metric names of the contract (README "Running it nightly"); a dashboard or an alert depends on each. */
export const METRIC = {
  lastRun: 'propel_etl_last_run_timestamp_seconds',
  lastSuccess: 'propel_etl_last_success_timestamp_seconds',
  duration: 'propel_etl_run_duration_seconds',
  exitCode: 'propel_etl_exit_code',
  records: 'propel_etl_records',
  rejected: 'propel_etl_rejected_records',
  requests: 'propel_etl_requests',
  retries: 'propel_etl_retries',
  throttled: 'propel_etl_throttled_requests',
} as const;

/** The labels that tell pipelines apart; on the Pushgateway they are also the grouping key. */
export interface RunKey {
  readonly pipeline: string;
  readonly target: string;
}

/** A last success remembered from before this run (a metrics file's previous content). */
export interface LastSuccess extends RunKey {
  readonly seconds: number;
}

/**
 * A registry of its own (never prom-client's global one, which a host application may use)
 * holding the gauges of the given runs. A run that failed has no last-success sample: where the
 * earlier one comes from `carried` it is kept, and a Pushgateway POST, which replaces only the
 * metrics it is sent, keeps its own.
 */
export async function metricsRegistry(runs: readonly RunMetrics[], carried: readonly LastSuccess[] = []): Promise<Registry> {
  // Loaded when a run reports, not at every start of the CLI (about 40 ms of CPU).
  const { Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  const labelNames = ['pipeline', 'target'] as const;
  const gauge = <L extends string>(name: string, help: string, extra: readonly L[] = []): Gauge<'pipeline' | 'target' | L> =>
    new Gauge({ name, help, labelNames: [...labelNames, ...extra], registers: [registry] });

  const lastRun = gauge(METRIC.lastRun, 'When the last run of this pipeline ended (exit code in propel_etl_exit_code).');
  const lastSuccess = gauge(METRIC.lastSuccess, 'When the last run that completed (exit 0 or 1) ended.');
  const duration = gauge(METRIC.duration, 'How long the last run took.');
  const exitCode = gauge(
    METRIC.exitCode,
    'Exit code of the last run: 0 imported, 1 completed with rejects, 2 configuration, 3 aborted, 130 interrupted.',
  );
  const records = gauge(METRIC.records, 'Records of the last run by outcome.', ['outcome']);
  const rejected = gauge(METRIC.rejected, 'Records the last run rejected, by stage.', ['stage']);
  const requests = gauge(METRIC.requests, 'HTTP requests the last run sent to the target, retries included.');
  const retries = gauge(METRIC.retries, 'Requests the last run sent again after a transient failure.');
  const throttled = gauge(METRIC.throttled, 'Requests of the last run the target answered 429 (too many requests).');

  const fresh = new Set<string>();
  for (const run of runs) {
    const key = { pipeline: run.pipeline, target: run.target };
    lastRun.set(key, run.endedAt / 1000);
    if (succeeded(run)) {
      lastSuccess.set(key, run.endedAt / 1000);
      fresh.add(keyOf(key));
    }
    duration.set(key, Math.max(0, run.endedAt - run.startedAt) / 1000);
    exitCode.set(key, run.exitCode);
    for (const outcome of RECORD_OUTCOMES) records.set({ ...key, outcome }, run.records[outcome]);
    for (const stage of STAGES) rejected.set({ ...key, stage }, run.rejected[stage]);
    requests.set(key, run.requests);
    retries.set(key, run.retries);
    throttled.set(key, run.throttled);
  }
  for (const c of carried) {
    if (!fresh.has(keyOf(c))) lastSuccess.set({ pipeline: c.pipeline, target: c.target }, c.seconds);
  }
  // A gauge with no sample would still print HELP and TYPE lines: on a Pushgateway POST that
  // replaces the group's metric of that name with nothing, erasing the last success.
  if (runs.every((r) => !succeeded(r)) && carried.length === 0) registry.removeSingleMetric(METRIC.lastSuccess);
  return registry;
}

function keyOf(k: RunKey): string {
  return JSON.stringify([k.pipeline, k.target]);
}
