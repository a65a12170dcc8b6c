/**
 * Keeps the delta benches from rotting (bench/delta.mjs, bench/delta-filter.mjs): a few hundred
 * rows, no timing asserted; only that both nights ran and the second sent just what changed.
 * Needs the build (npm test builds).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/files.js';
import { runNode as node } from '../support/node-child.js';

describe('the delta benches (smoke, tiny N)', { timeout: 120_000 }, () => {
  it('bench/delta.mjs: a full night, then a night that sends only the changed rows', async () => {
    const out = await tempDir('bench-delta-');
    const r = await node(['bench/delta.mjs', '--n', '400', '--changed', '0.02', '--latency', '0', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const last = JSON.parse(await readFile(join(out, 'last-run-batch500.json'), 'utf8')) as {
      full: { read: number; sent: number; unchanged: number; filterMs: number };
      next: { read: number; sent: number; unchanged: number };
    };
    // 400 demo rows, one rejected while mapping (row 137): 399 items, all sent on the first night.
    expect(last.full).toMatchObject({ read: 400, sent: 399, unchanged: 0 });
    expect(last.full.filterMs).toEqual(expect.any(Number));
    expect(last.next.sent + last.next.unchanged).toBe(399);
    expect(last.next.sent).toBeGreaterThan(0);
    expect(last.next.sent).toBeLessThanOrEqual(8);
    expect(r.stdout).toMatch(/night 1 took [\d.]+% of the full run's wall time/);
  });

  it('bench/delta-filter.mjs: the pure filter over three nights', async () => {
    const r = await node(['bench/delta-filter.mjs', '--n', '400']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/first +[\d.]+ µs CPU\/row +\(399 passed on, 0 unchanged/);
    expect(r.stdout).toMatch(/same +[\d.]+ µs CPU\/row +\(0 passed on, 399 unchanged/);
    expect(r.stdout).toMatch(/onePercent +[\d.]+ µs CPU\/row/);
  });
});
