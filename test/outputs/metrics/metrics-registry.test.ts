import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLastSuccesses } from '../../../src/outputs/metrics/last-success.js';
import { metricsRegistry } from '../../../src/outputs/metrics/metrics-registry.js';
import { metricsOfRefusal, metricsOfSummary, type MetricsSummary } from '../../../src/outputs/metrics/run-metrics.js';
import { tempDir } from '../../support/files.js';

const summary = (over: Partial<MetricsSummary> = {}): MetricsSummary => ({
  pipeline: 'users',
  exitCode: 1,
  startedAt: '2026-12-01T02:00:00.000Z',
  endedAt: '2026-12-01T02:00:42.500Z',
  requests: 7,
  retries: 2,
  throttled: 1,
  counts: { read: 10, created: 6, updated: 2, rejected: { read: 0, map: 1, validate: 1, api: 0, total: 2 } },
  ...over,
});

describe('metricsOfSummary', () => {
  it('reports the delta kinds as 0 until the counts carry them, and theirs once they do', () => {
    expect(metricsOfSummary(summary(), 'propel').records).toEqual({
      read: 10,
      created: 6,
      updated: 2,
      new: 0,
      changed: 0,
      unchanged: 0,
      rejected: 2,
      orphans: 0,
    });
    const delta = summary({ counts: { ...summary().counts, unchanged: 5, orphans: 3 } });
    expect(metricsOfSummary(delta, 'propel').records).toMatchObject({ unchanged: 5, orphans: 3 });
  });
});

describe('metricsRegistry', () => {
  it('a failed run alone has no last-success family at all (a Pushgateway POST would erase the earlier one)', async () => {
    const failed = metricsOfRefusal({ pipeline: 'users', target: 'propel', exitCode: 3, startedAt: 0, endedAt: 1000 });
    const text = await (await metricsRegistry([failed])).metrics();
    expect(text).toMatch(/^propel_etl_exit_code\{pipeline="users",target="propel"\} 3$/m);
    expect(text).not.toMatch(/last_success/);
  });

  it('reads back the last successes it wrote, label escapes included, and carries them for runs that failed', async () => {
    const odd = 'a "quoted" \\ back\nslash';
    const ok = metricsOfSummary(summary({ pipeline: odd }), 'propel');
    const dir = await tempDir('metrics-registry-');
    const file = join(dir, 'm.prom');
    await writeFile(
      file,
      await (await metricsRegistry([ok, metricsOfSummary(summary({ pipeline: 'groups', exitCode: 0 }), 'local')])).metrics(),
    );
    const carried = await readLastSuccesses(file);
    expect(carried).toEqual([
      { pipeline: odd, target: 'propel', seconds: Date.parse('2026-12-01T02:00:42.500Z') / 1000 },
      { pipeline: 'groups', target: 'local', seconds: Date.parse('2026-12-01T02:00:42.500Z') / 1000 },
    ]);

    const failed = metricsOfSummary(summary({ pipeline: odd, exitCode: 3, endedAt: '2026-12-02T02:00:00.000Z' }), 'propel');
    const again = await (await metricsRegistry([failed], carried)).metrics();
    expect(again).toContain(
      `propel_etl_last_success_timestamp_seconds{pipeline="a \\"quoted\\" \\\\ back\\nslash",target="propel"} ${Date.parse('2026-12-01T02:00:42.500Z') / 1000}`,
    );
    expect(again).toContain(
      `propel_etl_last_run_timestamp_seconds{pipeline="a \\"quoted\\" \\\\ back\\nslash",target="propel"} ${Date.parse('2026-12-02T02:00:00.000Z') / 1000}`,
    );
    expect(again).toContain('propel_etl_last_success_timestamp_seconds{pipeline="groups",target="local"}');
  });

  it('a missing file carries nothing', async () => {
    expect(await readLastSuccesses(join(tmpdir(), 'no-such-metrics-file.prom'))).toEqual([]);
  });
});
