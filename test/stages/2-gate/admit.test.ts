import { describe, expect, it } from 'vitest';
import { admit } from '../../../src/stages/2-gate/admit.js';
import type { ReadEvent } from '../../../src/core/record.js';
import { IntervalSet } from '../../../src/core/interval-set.js';
import { RunCounts } from '../../../src/outcomes/index.js';

function record(seq: number): ReadEvent {
  return { kind: 'record', prov: { file: 'f.csv', line: seq + 2, seq }, data: { n: String(seq) } };
}

/** n records in arrays of `size`, the way a chunked source delivers them. */
async function* source(n: number, size = 3): AsyncGenerator<ReadEvent[]> {
  for (let i = 0; i < n; i += size) {
    const chunk: ReadEvent[] = [];
    for (let j = i; j < Math.min(n, i + size); j++) chunk.push(record(j));
    yield chunk;
  }
}

const identity = (ev: ReadEvent): ReadEvent => ev;

async function chunks(stream: AsyncIterable<unknown>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const chunk of stream) out.push((chunk as ReadEvent[]).map((ev) => ev.prov.seq));
  return out;
}

describe('admit', () => {
  it('skips settled ordinals on resume but counts every record read, never emitting an empty array', async () => {
    const done = new IntervalSet();
    done.addRange(0, 2);
    done.add(5);
    const counts = new RunCounts();
    expect(await chunks(admit(source(8), { counts, done, prepare: identity }))).toEqual([
      [3, 4],
      [6, 7],
    ]);
    expect({ read: counts.read, skipped: counts.skipped }).toEqual({ read: 8, skipped: 4 });
  });

  it('passes every admitted record through prepare, in order', async () => {
    const counts = new RunCounts();
    const out: string[] = [];
    for await (const chunk of admit(source(5, 2), { counts, prepare: (ev) => `#${ev.prov.seq}` })) out.push(...(chunk as string[]));
    expect(out).toEqual(['#0', '#1', '#2', '#3', '#4']);
  });

  it('stops mid-chunk once the stop signal fires, ending normally with what was read', async () => {
    const stop = new AbortController();
    const counts = new RunCounts();
    const prepare = (ev: ReadEvent): ReadEvent => {
      if (ev.prov.seq === 4) stop.abort();
      return ev;
    };
    expect(await chunks(admit(source(1000, 3), { counts, stop: stop.signal, prepare }))).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(counts.read).toBe(5);
  });

  it('fails the stream when prepare throws (a bug, not data)', async () => {
    const counts = new RunCounts();
    const prepare = (ev: ReadEvent): ReadEvent => {
      if (ev.prov.seq === 2) throw new Error('boom');
      return ev;
    };
    await expect(chunks(admit(source(6), { counts, prepare }))).rejects.toThrow('boom');
  });
});
