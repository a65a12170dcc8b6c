import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/stages/6-batch/batcher.js';
import type { Batch, ItemRecord } from '../../../src/core/record.js';
import { requestBody, requestEnvelope } from '../../../src/stages/7-send/request-body.js';
import { RESOURCES } from '../../../src/core/resource.js';

function rec(seq: number, key: string, item: Record<string, unknown> = { sourceId: key }): ItemRecord {
  return { kind: 'item', prov: { file: 'f.csv', line: seq + 2, seq }, item, key, source: {} };
}

function run(b: Batcher, recs: ItemRecord[]): { batches: Batch[]; rejected: number[] } {
  const batches: Batch[] = [];
  const rejected: number[] = [];
  for (const r of recs) {
    const rej = b.add(r, (x) => batches.push(x));
    if (rej) rejected.push(rej.prov.seq);
  }
  const last = b.flush();
  if (last) batches.push(last);
  return { batches, rejected };
}

const env = requestEnvelope(RESOURCES.users);

describe('Batcher', () => {
  it('groups by count, numbers batches from 1, keeps order', () => {
    const { batches } = run(
      new Batcher({ size: 3, maxBytes: 1e6, envelopeBytes: env.bytes }),
      Array.from({ length: 7 }, (_, i) => rec(i, `k${i}`)),
    );
    expect(batches.map((b) => b.records.map((r) => r.prov.seq))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(batches.map((b) => b.seq)).toEqual([1, 2, 3]);
  });

  it('keeps every body within maxBytes, and counts bytes exactly as the body is built', () => {
    const items = Array.from({ length: 50 }, (_, i) => rec(i, `k${i}`, { sourceId: `k${i}`, name: 'é'.repeat(i % 9) }));
    const maxBytes = 200;
    const { batches } = run(new Batcher({ size: 100, maxBytes, envelopeBytes: env.bytes }), items);
    expect(batches.flatMap((b) => b.records)).toHaveLength(50);
    for (const b of batches) {
      const body = requestBody(env, b.items);
      expect(body.length).toBe(b.bytes);
      expect(b.bytes).toBeLessThanOrEqual(maxBytes);
      expect(body.toString('utf8')).toBe(`{"users":[${b.records.map((r) => JSON.stringify(r.item)).join(',')}]}`);
      expect(b.records.map((_, i) => b.items.text(i))).toEqual(b.records.map((r) => JSON.stringify(r.item)));
    }
    expect(batches.length).toBeGreaterThan(1);
  });

  it('rejects an item that cannot fit in any request, and goes on', () => {
    const { batches, rejected } = run(new Batcher({ size: 10, maxBytes: 60, envelopeBytes: env.bytes }), [
      rec(0, 'a'),
      rec(1, 'b', { sourceId: 'x'.repeat(100) }),
      rec(2, 'c'),
    ]);
    expect(rejected).toEqual([1]);
    expect(batches.flatMap((b) => b.records.map((r) => r.prov.seq))).toEqual([0, 2]);
  });

  it('closes the batch before a second version of the same key', () => {
    const { batches } = run(new Batcher({ size: 10, maxBytes: 1e6, envelopeBytes: env.bytes }), [
      rec(0, 'a'),
      rec(1, 'b'),
      rec(2, 'a'),
      rec(3, 'c'),
    ]);
    expect(batches.map((b) => b.records.map((r) => r.key))).toEqual([
      ['a', 'b'],
      ['a', 'c'],
    ]);
  });

  it('does not treat missing keys as duplicates', () => {
    const { batches } = run(new Batcher({ size: 10, maxBytes: 1e6, envelopeBytes: env.bytes }), [rec(0, ''), rec(1, '')]);
    expect(batches).toHaveLength(1);
  });

  // Items are written into one buffer per batch: an item that opens the next batch (a repeated key,
  // or no room left) is moved, and a buffer that runs out of room grows; the bytes must not change.
  it("keeps each batch's bytes exactly its items, whatever closed it and however large the items", () => {
    const text = (n: number): string => 'ü€x'.repeat(n);
    const recs = [
      rec(0, 'a', { sourceId: 'a', t: text(10) }),
      rec(1, 'b', { sourceId: 'b', t: text(30_000) }),
      rec(2, 'a', { sourceId: 'a', t: text(3) }),
      rec(3, 'c', { sourceId: 'c', t: text(40_000) }),
      rec(4, 'd', { sourceId: 'd', t: text(2_000) }),
      rec(5, 'e', { sourceId: 'e', t: text(5) }),
    ];
    const { batches, rejected } = run(new Batcher({ size: 10, maxBytes: 250_000, envelopeBytes: env.bytes }), recs);
    expect(rejected).toEqual([]);
    expect(batches.map((b) => b.records.map((r) => r.prov.seq))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    for (const b of batches) {
      const expected = `{"users":[${b.records.map((r) => JSON.stringify(r.item)).join(',')}]}`;
      expect(requestBody(env, b.items).toString('utf8')).toBe(expected);
      expect(b.bytes).toBe(Buffer.byteLength(expected));
    }
  });

  it("cuts a subset of a batch's items (a retried half) without re-serialising", () => {
    const { batches } = run(
      new Batcher({ size: 10, maxBytes: 1e6, envelopeBytes: env.bytes }),
      [0, 1, 2, 3].map((i) => rec(i, `k${i}`, { sourceId: `k${i}`, n: 'é'.repeat(i) })),
    );
    const b = batches[0]!;
    expect(requestBody(env, b.items, [1, 3]).toString('utf8')).toBe(
      `{"users":[${JSON.stringify(b.records[1]!.item)},${JSON.stringify(b.records[3]!.item)}]}`,
    );
    expect(requestBody(env, b.items, [2]).toString('utf8')).toBe(`{"users":[${JSON.stringify(b.records[2]!.item)}]}`);
  });
});
