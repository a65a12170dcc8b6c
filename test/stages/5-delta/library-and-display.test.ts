import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, startEmulator, type Emulator } from '../../../src/index.js';
import { etaMs, formatProgress } from '../../../src/outputs/progress/format-progress.js';
import { RunProbe } from '../../../src/outputs/progress/run-probe.js';
import { formatSummary } from '../../../src/cli/format-summary.js';
import { buildSummary } from '../../../src/outcomes/summary.js';
import { RunCounts } from '../../../src/outcomes/index.js';

describe('unchanged and orphans where people and programs read counts', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({});
  });
  afterAll(() => emu.close());

  it('the library result carries them, and a night with nothing changed sends nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'delta-lib-'));
    await writeFile(join(dir, 'u.ndjson'), ['A', 'B', 'C'].map((no) => JSON.stringify({ no })).join('\n') + '\n');
    await writeFile(
      join(dir, 'u.yaml'),
      'name: lib\nresource: users\nsource: { path: u.ndjson }\nmapping:\n  source: { value: ERP }\n  sourceId: no\n  language: { value: NL }\ndelta: {}\n',
    );
    const c = emu.clients[0]!;
    const target = {
      name: 'propel',
      kind: 'http' as const,
      baseUrl: emu.baseUrl,
      tokenUrl: emu.tokenUrl,
      clientId: c.id,
      clientSecret: c.secret,
    };
    const first = await runPipeline({ pipeline: join(dir, 'u.yaml'), target, cwd: dir, out: 'r1', state: 'st' });
    expect(first.summary.counts).toMatchObject({ created: 3, unchanged: 0, orphans: 0 });
    const before = emu.log.total;
    const second = await runPipeline({ pipeline: join(dir, 'u.yaml'), target, cwd: dir, out: 'r2', state: 'st' });
    expect(second.exitCode).toBe(0);
    expect(second.summary.counts).toMatchObject({ read: 3, sent: 0, unchanged: 3, orphans: 0 });
    expect(second.summary.durations.deltaFilterCpuMs).toEqual(expect.any(Number));
    expect(emu.log.total).toBe(before);
  });

  it('the probe counts the changes sent from the moment sending began', () => {
    const counts = Object.assign(new RunCounts(), { read: 1000, answered: 30 });
    const probe = new RunProbe(counts, 'run', true);
    expect(probe.snapshot().sending).toBeUndefined();
    probe.beginSending(50);
    counts.answered += 20;
    expect(probe.snapshot().sending).toMatchObject({ total: 50, done: 20 });
  });

  it('the progress line, the terminal summary and summary.json show them with delta only', () => {
    const snap = { elapsedMs: 2000, read: 1000, imported: 10, rejected: 0, batchesInFlight: 1, bytesRead: 0, totalBytes: 0 };
    expect(formatProgress({ ...snap, unchanged: 990 })).toMatch(/^read 1,000 · unchanged 990 · imported 10 · /);
    expect(formatProgress(snap)).not.toMatch(/unchanged/);
    // A night compared first, read whole and now sending its changes: progress and ETA follow the changes sent.
    const sending = { ...snap, bytesRead: 500, totalBytes: 500, elapsedMs: 9000, sending: { total: 400, done: 100, elapsedMs: 2000 } };
    expect(etaMs(sending)).toBe(6000);
    expect(formatProgress(sending, 400)).toMatch(/ · sending 100 of 400 changes 25% · ETA 6s · 9s$/);
    expect(etaMs({ ...sending, sending: { total: 400, done: 0, elapsedMs: 2000 } })).toBeUndefined();
    expect(etaMs({ ...sending, sending: { total: 400, done: 400, elapsedMs: 2000 } })).toBe(0);
    const counts = Object.assign(new RunCounts(), { read: 1000, answered: 10, updated: 10, unchanged: 990, orphans: 4 });
    const base = {
      runId: 'r',
      pipeline: 'p',
      resource: 'users',
      mode: 'run' as const,
      target: 'propel',
      status: 'completed' as const,
      exitCode: 0,
      attempt: 1,
      batches: 1,
      requests: 1,
      retries: 0,
      topRejects: [],
      startedAt: new Date(0),
      endedAt: new Date(1000),
      counts,
    };
    const withDelta = buildSummary({ ...base, delta: { filterCpuMs: 12.4 } });
    expect(withDelta.counts).toMatchObject({ unchanged: 990, orphans: 4 });
    expect(withDelta.durations).toEqual({ totalMs: 1000, deltaFilterCpuMs: 12 });
    const text = formatSummary(withDelta, '/x/runs/p', '/x');
    expect(text).toMatch(/\n {2}unchanged {2}990 \(not sent: Propel has them as they are\)\n/);
    expect(text).toMatch(/\n {2}orphans {4}4 \(keys Propel has that this export no longer holds: orphans\.ndjson; nothing sent\)\n/);
    const without = buildSummary(base);
    expect(without.counts).not.toHaveProperty('unchanged');
    expect(formatSummary(without, '/x/runs/p', '/x')).not.toMatch(/unchanged|orphans/);
  });
});
