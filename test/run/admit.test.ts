import { describe, expect, it } from 'vitest';
import { admit } from '../../src/run/admit.js';
import type { ReadEvent } from '../../src/core/record.js';
import { IntervalSet } from '../../src/resume/interval-set.js';

function record(seq: number): ReadEvent {
  return { kind: 'record', prov: { file: 'f.csv', line: seq + 2, seq }, data: { n: String(seq) } };
}

async function* source(n: number): AsyncGenerator<ReadEvent> {
  for (let i = 0; i < n; i++) yield record(i);
}

async function seqs(stream: AsyncIterable<unknown>): Promise<number[]> {
  const out: number[] = [];
  for await (const ev of stream) out.push((ev as ReadEvent).prov.seq);
  return out;
}

describe('admit', () => {
  it('skips settled ordinals on resume but counts every record read', async () => {
    const done = new IntervalSet();
    done.addRange(0, 2);
    done.add(5);
    const counts = { read: 0, skipped: 0 };
    expect(await seqs(admit(source(8), { counts, done }))).toEqual([3, 4, 6, 7]);
    expect(counts).toEqual({ read: 8, skipped: 4 });
  });

  it('stops reading once the stop signal fires, ending normally', async () => {
    const stop = new AbortController();
    const counts = { read: 0, skipped: 0 };
    const out: number[] = [];
    for await (const ev of admit(source(1000), { counts, stop: stop.signal })) {
      out.push((ev as ReadEvent).prov.seq);
      if (out.length === 3) stop.abort();
    }
    expect(out.length).toBeLessThan(1000);
    expect(out.slice(0, 3)).toEqual([0, 1, 2]);
  });
});
