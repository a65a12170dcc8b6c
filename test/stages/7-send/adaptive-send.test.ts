/**
 * `send.concurrency: auto` end to end: the pipeline file is accepted, and a run against an
 * emulator that takes only `capacity` requests at once keeps it busy with few 429s.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/core/errors.js';
import { emulatorPerFile, httpTarget } from '../../support/emulator.js';
import { runPipeline, type RunResult } from '../../../src/run/run-pipeline.js';
import { tempDir } from '../../support/files.js';
import { usersPipeline } from '../../support/pipeline.js';

const ROWS = 960;
const BATCH = 4;
const CAPACITY = 6;
// Well above a loaded machine's event-loop stalls, which the controller would otherwise read
// as congestion (a latency far above the best seen) and answer by sending less at once.
const LATENCY_MS = 60;

function pipelineFile(concurrency: number | string): string {
  const mapping = { source: { value: 'T' }, sourceId: 'id', language: { value: 'NL' }, firstName: 'name' };
  return usersPipeline({
    name: 'adaptive',
    source: { path: 'users.ndjson' },
    mapping,
    batchSize: BATCH,
    send: { concurrency, maxRetries: 8, timeout: '10s' },
  });
}

describe('send.concurrency: auto', () => {
  const fx = emulatorPerFile(undefined, { faults: { capacity: CAPACITY, latencyMs: LATENCY_MS } }, 'never');
  let dir: string;
  let result: RunResult;

  beforeAll(async () => {
    dir = await tempDir('adaptive-');
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i++) lines.push(JSON.stringify({ id: `U${i}`, name: `User ${i}` }));
    await writeFile(join(dir, 'users.ndjson'), lines.join('\n') + '\n');
    await writeFile(join(dir, 'auto.json'), pipelineFile('auto'));
    result = await runPipeline({
      pipeline: join(dir, 'auto.json'),
      out: join(dir, 'out'),
      cwd: dir,
      target: httpTarget(fx.emu, 'capped'),
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('normalises to an adaptive send spec with a ceiling, and refuses other words', async () => {
    const spec = await loadPipeline(join(dir, 'auto.json'));
    expect(spec.send).toMatchObject({ concurrency: 32, adaptive: true });
    await writeFile(join(dir, 'fixed.json'), pipelineFile(3));
    const fixed = await loadPipeline(join(dir, 'fixed.json'));
    expect(fixed.send.concurrency).toBe(3);
    expect(fixed.send.adaptive).toBeUndefined();
    await writeFile(join(dir, 'bad.json'), pipelineFile('fast'));
    const error = await loadPipeline(join(dir, 'bad.json')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/send\.concurrency must be one of: auto; got "fast"/);
  });

  it('imports everything against a capped emulator, with few requests answered 429', () => {
    expect(result.status).toBe('completed');
    expect(result.summary.counts.created).toBe(ROWS);
    expect(fx.emu.store.users()).toHaveLength(ROWS);
    const total = fx.emu.log.total;
    const throttled = fx.emu.log.countByStatus(429);
    // A fixed concurrency of 32 here would see most requests answered 429; auto probes above
    // the capacity only now and then (slow start and a few spaced-out probes).
    expect(throttled / total).toBeLessThan(0.05);
    expect(total).toBeGreaterThanOrEqual(ROWS / BATCH);
    // It kept more than one request in flight: one at a time, bodies would arrive at least a
    // latency apart. (Counted from the log, not the clock: a loaded machine stretches both alike.)
    const times = fx.emu.log.entries().map((e) => e.time);
    const overlapping = times.slice(1).filter((t, i) => t - times[i]! < LATENCY_MS / 2).length;
    expect(overlapping).toBeGreaterThan(times.length / 4);
  });
});
