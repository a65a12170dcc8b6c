import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createBatchStream } from '../../../src/stages/6-batch/batch-stream.js';
import type { Batch, ItemEvent, RejectEvent } from '../../../src/core/record.js';
import { reject } from '../../../src/core/record.js';
import { requestEnvelope } from '../../../src/stages/7-send/request-body.js';
import { RESOURCES } from '../../../src/core/resource.js';

const env = requestEnvelope(RESOURCES.users);
const opts = { size: 3, maxBytes: 400, envelopeBytes: env.bytes };

/** Items with a repeated key, an oversized item and rejects mixed in. */
function events(): ItemEvent[] {
  return Array.from({ length: 20 }, (_, seq): ItemEvent => {
    const prov = { file: 'f.csv', line: seq + 2, seq };
    if (seq % 7 === 3) return reject(prov, 'map', 'bad row', {});
    const key = seq === 5 ? 'k4' : `k${seq}`;
    const item = seq === 11 ? { sourceId: key, name: 'x'.repeat(500) } : { sourceId: key };
    return { kind: 'item', prov, item, key, source: {} };
  });
}

/** What comes out, as [kind, seqs] in output order. */
async function run(input: unknown[]): Promise<[string, number[]][]> {
  const out: [string, number[]][] = [];
  let batches = 0;
  await pipeline(
    Readable.from(input, { objectMode: true }),
    createBatchStream(opts, () => batches++, { highWaterMark: 2 }),
    new Writable({
      objectMode: true,
      write(ev: Batch | RejectEvent, _enc, cb) {
        out.push(ev.kind === 'batch' ? ['batch', ev.records.map((r) => r.prov.seq)] : [`reject:${ev.stage}`, [ev.prov.seq]]);
        cb();
      },
    }),
  );
  expect(batches).toBe(out.filter(([k]) => k === 'batch').length);
  return out;
}

describe('createBatchStream', () => {
  it('gives the same output, in the same order, for arrays of events as for single events', async () => {
    const single = await run(events());
    const evs = events();
    const arrays = await run([evs.slice(0, 4), evs.slice(4, 13), evs.slice(13)]);
    expect(arrays).toEqual(single);
    // The fixture exercises what matters: a reject passing through, a repeated key, an oversized item.
    expect(single).toContainEqual(['reject:map', [3]]);
    expect(single).toContainEqual(['reject:validate', [11]]);
    expect(single).toContainEqual(['batch', [4]]);
    expect(single.flatMap(([, s]) => s).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
