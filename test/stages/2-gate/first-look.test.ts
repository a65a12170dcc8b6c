import { describe, expect, it } from 'vitest';
import { reject, type ItemEvent, type ReadEvent } from '../../../src/core/record.js';
import { admit } from '../../../src/stages/2-gate/admit.js';
import { firstLook } from '../../../src/stages/2-gate/first-look.js';
import { emptyCounts } from '../../../src/outcomes/index.js';
import type { RejectBudgetError } from '../../../src/core/errors.js';

/** n records in arrays of `size`; every record whose seq `bad` says is a map reject. */
async function* source(n: number, size: number): AsyncGenerator<ReadEvent[]> {
  for (let i = 0; i < n; i += size) {
    const chunk: ReadEvent[] = [];
    for (let j = i; j < Math.min(n, i + size); j++)
      chunk.push({ kind: 'record', prov: { file: 'f.csv', line: j + 2, seq: j }, data: { n: j } });
    yield chunk;
  }
}

const prepare =
  (bad: (seq: number) => boolean) =>
  (ev: ReadEvent): ItemEvent =>
    bad(ev.prov.seq)
      ? reject(ev.prov, 'map', `dob: "${ev.prov.seq}" is not a date`, {})
      : { kind: 'item', prov: ev.prov, item: {}, key: String(ev.prov.seq), source: {} };

async function run(n: number, bad: (seq: number) => boolean, maxRejects: { count: number } | { fraction: number }, size = 10) {
  const counts = emptyCounts();
  const failures: RejectBudgetError[] = [];
  const hold = firstLook({ errors: { maxRejects }, counts, onFail: (e) => failures.push(e), size });
  const chunks: ItemEvent[][] = [];
  for await (const chunk of admit(source(n, 4), { counts, prepare: prepare(bad), ...(hold !== undefined ? { hold } : {}) }))
    chunks.push(chunk as ItemEvent[]);
  return { counts, failures, chunks };
}

describe('first look', () => {
  it('holds the sample back, then lets it and the rest flow when the budget holds', async () => {
    const r = await run(30, (s) => s === 3, { count: 1 });
    expect(r.failures).toEqual([]);
    // The sample (10 records, to the end of their chunk: 12) comes out as one array, then chunk by chunk.
    expect(r.chunks.map((c) => c.length)).toEqual([12, 4, 4, 4, 4, 2]);
    expect(r.counts.read).toBe(30);
  });

  it('a sample past the budget: only its rejects go on, reading stops there, the message names the top reasons', async () => {
    const r = await run(100, (s) => s % 2 === 0, { fraction: 0.01 });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.message).toMatch(
      /^the first look at 12 records, before any request: 6 of 12 records read were rejected, more than errors\.maxRejects \(1%\); nothing was sent\. Most frequent: 6 × map dob: "…" is not a date/,
    );
    expect(r.chunks.flat().every((e) => e.kind === 'reject')).toBe(true);
    expect(r.chunks.flat()).toHaveLength(6);
    expect(r.counts.read).toBe(12);
    expect(r.counts.unsent).toBe(6);
  });

  it('an input smaller than the sample is judged whole at its end, a percentage too', async () => {
    const r = await run(5, (s) => s === 0, { fraction: 0.1 });
    expect(r.failures).toHaveLength(1);
    expect(r.chunks.flat()).toHaveLength(1);
  });

  it('no budget, no hold', () => {
    expect(firstLook({ errors: {}, counts: emptyCounts(), onFail: () => undefined })).toBeUndefined();
  });
});
