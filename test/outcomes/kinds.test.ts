import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../src/cli/format-summary.js';
import { OUTCOME_KINDS, RunCounts, kindOf } from '../../src/outcomes/index.js';
import { buildSummary } from '../../src/outcomes/summary.js';
import { RECORD_OUTCOMES, metricsOfSummary } from '../../src/outputs/metrics/run-metrics.js';
import { formatProgress } from '../../src/outputs/progress/format-progress.js';
import { RunProbe } from '../../src/outputs/progress/run-probe.js';

// An outcome kind is one entry of OUTCOME_KINDS: every place that shows counts follows from it.
describe('outcome kinds: one entry each, everything else derived', () => {
  /** Counts where every kind has its own number (its position + 11), so each can be found in what a consumer prints. */
  function distinctCounts(): RunCounts {
    const c = new RunCounts();
    c.read = 1_000;
    OUTCOME_KINDS.forEach((k, i) => (c[k.name] = 11 + i));
    return c;
  }
  const summaryOf = (counts: RunCounts, delta: boolean) =>
    buildSummary({
      runId: 'r',
      pipeline: 'p',
      resource: 'users',
      mode: 'run',
      target: 't',
      status: 'completed',
      exitCode: 0,
      attempt: 1,
      batches: 1,
      requests: 1,
      retries: 0,
      topRejects: [],
      startedAt: new Date(0),
      endedAt: new Date(1000),
      counts,
      ...(delta ? { delta: { filterCpuMs: 1 } } : {}),
    });

  it('each kind has a counter in RunCounts, starting at 0', () => {
    const c = new RunCounts();
    for (const k of OUTCOME_KINDS) expect(c[k.name], k.name).toBe(0);
  });

  it('each kind is a count of summary.json (delta kinds with delta: only)', () => {
    const counts = distinctCounts();
    const plain = summaryOf(counts, false).counts as Record<string, unknown>;
    const delta = summaryOf(counts, true).counts as Record<string, unknown>;
    for (const k of OUTCOME_KINDS) {
      expect(delta[k.name], k.name).toBe(counts[k.name]);
      expect(plain[k.name], k.name).toBe(k.delta === true ? undefined : counts[k.name]);
    }
  });

  it('each kind marked for metrics is an outcome label with its count; the others are not', () => {
    const counts = distinctCounts();
    const m = metricsOfSummary(summaryOf(counts, true), 't');
    for (const k of OUTCOME_KINDS) {
      expect(RECORD_OUTCOMES.includes(k.name as never), k.name).toBe(k.inMetrics);
      if (k.inMetrics) expect((m.records as Record<string, number>)[k.name], k.name).toBe(counts[k.name]);
    }
  });

  it('each kind shown in the terminal has its row with its label and count', () => {
    const counts = distinctCounts();
    const text = formatSummary(summaryOf(counts, true), '/tmp/run', '/tmp');
    for (const k of OUTCOME_KINDS) {
      const row = new RegExp(`^  ${k.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${counts[k.name]}\\b`, 'm');
      expect(row.test(text), `${k.name} in:\n${text}`).toBe(k.inTerminal);
    }
  });

  it('each kind marked for progress is in the snapshot and the progress line (delta kinds with delta: only)', () => {
    const counts = distinctCounts();
    const withDelta = new RunProbe(counts, 'run', true).snapshot() as unknown as Record<string, unknown>;
    const without = new RunProbe(counts, 'run', false).snapshot() as unknown as Record<string, unknown>;
    const line = formatProgress(new RunProbe(counts, 'run', true).snapshot(), 500);
    for (const k of OUTCOME_KINDS) {
      const shown = k.inProgress === true;
      expect(withDelta[k.name], k.name).toBe(shown ? counts[k.name] : undefined);
      expect(without[k.name], k.name).toBe(shown && k.delta !== true ? counts[k.name] : undefined);
      expect(line.includes(`${k.label} ${counts[k.name]}`), `${k.name} in: ${line}`).toBe(shown);
    }
  });

  it('an answered item is counted by the kind whose entry names its answer', () => {
    expect(kindOf({ success: true, action: 'create' } as never)).toBe('created');
    expect(kindOf({ success: true, action: 'update' } as never)).toBe('updated');
    expect(kindOf({ success: false, action: 'create' } as never)).toBe('failed');
    expect(kindOf({ success: true, action: 'refused' } as never)).toBeUndefined();
  });

  // The consumers derive from the list: none of them names a kind. A consumer that special-cases a
  // kind again (as `unchanged` once was in the progress line and the logger) fails here.
  it('no consumer of the counts names a kind', () => {
    const consumers = [
      'src/outcomes/summary.ts',
      'src/outputs/metrics/run-metrics.ts',
      'src/outputs/metrics/metrics-registry.ts',
      'src/outputs/progress/run-probe.ts',
      'src/outputs/progress/format-progress.ts',
      'src/outputs/report/render-report.ts',
      'src/cli/logger.ts',
      'src/cli/format-summary.ts',
    ];
    for (const file of consumers) {
      const code = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const k of OUTCOME_KINDS) expect(new RegExp(`['"\`.]${k.name}\\b`).test(code), `${file} names ${k.name}`).toBe(false);
    }
  });
});
