import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RejectGrouper, readRejectGroups, reasonShape } from '../../../src/outcomes/reject-groups.js';
import { MAX_SAMPLES, RunRecorder } from '../../../src/outputs/report/run-recorder.js';
import { ratePoints } from '../../../src/outputs/report/render-report.js';
import { escapeHtml, niceMax } from '../../../src/outputs/report/svg-chart.js';
import type { ProgressSnapshot } from '../../../src/outputs/progress/run-probe.js';
import { etaMs, formatProgress } from '../../../src/outputs/progress/format-progress.js';

describe('reasonShape', () => {
  it("strips the record's values and keeps field names and the rule", () => {
    expect(reasonShape('dateOfBirth: "31-02-1980" is not a real date (DD-MM-YYYY)')).toBe(
      'dateOfBirth: "…" is not a real date (DD-MM-YYYY)',
    );
    expect(reasonShape('addresses[3].country: must match ^[A-Z]{2}$ (got "NETHERLANDS")')).toBe(
      'addresses[n].country: must match ^[A-Z]{2}$ (got "…")',
    );
    expect(reasonShape('missing required field "sourceId"')).toBe('missing required field "sourceId"');
    expect(reasonShape('#/users/12: must be string')).toBe('#/users/n: must be string');
    expect(reasonShape('HTTP 503')).toBe('HTTP 503');
  });

  it('takes out values the API puts in brackets, so three bad e-mails are one kind (issue 26)', () => {
    const shapes = ['ann@x', 'bob@y', 'cas@z'].map((e) => reasonShape(`User with sourceId [${e}] and source [CRM] already exists.`));
    expect(new Set(shapes)).toEqual(new Set(['User with sourceId […] and source […] already exists.']));
    expect(reasonShape('Parent usergroup with id [999] not found.')).toBe('Parent usergroup with id [n] not found.');
    expect(reasonShape('email: must match ^[^@]+@[^@]+$ (got "x")')).toBe('email: must match ^[^@]+@[^@]+$ (got "…")');
  });
});

describe('RejectGrouper', () => {
  it('counts kinds in a bounded map, keeps the first example, sorts by count', () => {
    const g = new RejectGrouper(2);
    g.add('map', 'dob: "1" bad', { file: 'a.csv', line: 5 });
    g.add('map', 'dob: "2" bad', { file: 'a.csv', line: 9 });
    g.add('validate', 'missing required field "x"', { file: 'a.csv', line: 7 });
    g.add('api', 'Parent usergroup with id [9] not found.', { file: 'a.csv', line: 8 });
    const r = g.result();
    expect(r.groups.map((x) => [x.stage, x.count, x.example.line])).toEqual([
      ['map', 2, 5],
      ['validate', 1, 7],
    ]);
    expect(r.other).toBe(1);
    expect(r.counted).toBe(4);
  });

  it('reads rejects.ndjson within its line bound and skips a torn line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'groups-'));
    const line = (n: number): string => JSON.stringify({ file: 'u.csv', line: n, stage: 'map', reason: `x: "${n}" bad`, record: {} });
    await writeFile(join(dir, 'rejects.ndjson'), [line(2), line(3), '{"file":"u.csv","li', line(4)].join('\n') + '\n');
    expect(await readRejectGroups(join(dir, 'rejects.ndjson'))).toMatchObject({ groups: [{ count: 3 }], truncated: false });
    expect(await readRejectGroups(join(dir, 'rejects.ndjson'), { maxLines: 2 })).toMatchObject({ groups: [{ count: 2 }], truncated: true });
    expect(await readRejectGroups(join(dir, 'missing.ndjson'))).toMatchObject({ groups: [], counted: 0 });
  });
});

const snap = (p: Partial<ProgressSnapshot>): ProgressSnapshot => ({
  elapsedMs: 0,
  read: 0,
  imported: 0,
  rejected: 0,
  batchesInFlight: 0,
  bytesRead: 0,
  totalBytes: 0,
  ...p,
});

describe('RunRecorder', () => {
  it('keeps at most MAX_SAMPLES points however long the run, with exact cumulative counts', () => {
    let read = 0;
    const rec = new RunRecorder(() => snap({ elapsedMs: read * 10, read }), 1_000_000);
    rec.start();
    for (let i = 0; i < 2000; i++) {
      read += 10;
      rec.onSend({ type: 'request', batch: i, status: i % 100 === 0 ? 503 : 200, ms: 40, items: 10 });
      (rec as unknown as { sample(): void }).sample();
    }
    rec.stop();
    const r = rec.recorded();
    expect(r.samples.length).toBeLessThanOrEqual(MAX_SAMPLES + 1);
    expect(r.samples.at(-1)!.read).toBe(20_000);
    expect(r.samples.reduce((s, x) => s + x.requests, 0)).toBe(2000);
    expect(r.latency).toMatchObject({ requests: 2000, meanMs: 40, byStatus: { '200': 1980, '503': 20 } });
    expect(ratePoints(r.samples, (x) => x.read).every(([, v]) => Math.abs(v - 100) < 1e-6)).toBe(true);
  });
});

describe('progress line', () => {
  it('shows counts, rate, batches in flight and an ETA from bytes read', () => {
    const p = snap({ elapsedMs: 10_000, read: 5000, imported: 4900, rejected: 12, batchesInFlight: 3, bytesRead: 250, totalBytes: 1000 });
    expect(etaMs(p)).toBe(30_000);
    expect(formatProgress(p)).toBe('read 5,000 · imported 4,900 · rejected 12 · 500 records/s · 3 in flight · 25% · ETA 30s · 10s');
    expect(formatProgress(p, 30)).toHaveLength(30);
    // stdin: no size, so no percentage and no ETA rather than a wrong one.
    expect(formatProgress(snap({ elapsedMs: 2000, read: 10 }))).toBe('read 10 · imported 0 · rejected 0 · 5 records/s · 0 in flight · 2s');
  });
});

describe('svg helpers', () => {
  it('escapes markup from reasons and rounds axes', () => {
    expect(escapeHtml('<b>"x" & \'y\'</b>')).toBe('&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;');
    expect([niceMax(0), niceMax(3), niceMax(37), niceMax(1200)]).toEqual([1, 5, 50, 2000]);
  });
});
