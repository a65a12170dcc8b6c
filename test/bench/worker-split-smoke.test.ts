/**
 * Keeps bench/worker-split.mjs from rotting: every wiring (one thread, the worker split, its lean
 * variant) on a few hundred rows of both CSVs, against the local emulator and the one with latency.
 * No timing is asserted; only that each wiring read, sent and rejected exactly what the others did.
 * Needs the build (npm test builds).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/files.js';
import { runNode } from '../support/node-child.js';

const N = 1200;

interface Run {
  readonly round: number;
  readonly emulator: string;
  readonly source: string;
  readonly wiring: string;
  readonly rows: number;
  readonly answered: number;
  readonly created: number;
  readonly rejected: number;
  readonly requests: number;
  readonly cpuMs: number;
  readonly crossing?: { readonly postMs: number; readonly receiveMs: number };
}

describe('bench/worker-split.mjs (smoke, tiny N)', { timeout: 120_000 }, () => {
  it('runs each wiring on each input and emulator, and they all do the same work', async () => {
    const out = await tempDir('bench-worker-split-');
    const r = await runNode(['bench/worker-split.mjs', '--n', String(N), '--rounds', '1', '--latency', '5', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const last = JSON.parse(await readFile(join(out, 'worker-split', 'last-run.json'), 'utf8')) as { runs: Run[]; summary: { wiring: string; wallVsOne?: number }[] };
    const runs = last.runs.map((x) => [x.emulator, x.source, x.wiring].join(' ')).sort();
    expect(runs).toEqual(['local', 'remote'].flatMap((e) => ['csv', 'csv-narrow'].flatMap((s) => ['lean', 'one', 'split'].map((w) => `${e} ${s} ${w}`))));
    // The demo data breaks about 1 row in 200 on purpose. In the first 1,200 rows of the demo CSV:
    // 2 rejected by map, 2 by validate, 1 answered success:false by the API (a result line and a
    // reject); the narrow file, without dates of birth, has 1 rejected by validate.
    const expected = { csv: { rejected: 5, created: N - 5, answered: N - 4 }, 'csv-narrow': { rejected: 1, created: N - 1, answered: N - 1 } } as const;
    for (const x of last.runs) {
      const e = expected[x.source as keyof typeof expected];
      expect([x.source, x.wiring, x.rows, x.rejected, x.created, x.answered]).toEqual([x.source, x.wiring, N, e.rejected, e.created, e.answered]);
      // Batches of 500: three requests, whatever the wiring.
      expect(x.requests).toBe(3);
      expect(x.cpuMs).toBeGreaterThan(0);
      expect(x.crossing !== undefined).toBe(x.wiring !== 'one');
    }
    expect(last.summary.filter((s) => s.wiring !== 'one').every((s) => typeof s.wallVsOne === 'number')).toBe(true);
  });
});
