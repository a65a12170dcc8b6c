/**
 * One record nested deeper than the cap is one read reject (issue 25): the records around it are
 * read, its reject shows it cut at the cap, and no depth can overflow the check.
 */
import { describe, expect, it } from 'vitest';
import { DEPTH_REASON, MAX_DEPTH, cutBelow, nestsDeeperThan } from '../../../src/stages/1-read/depth-check.js';
import { rejectLine } from '../../../src/stages/8-sink/result-sink.js';
import { readStdin } from './helpers.js';
import { sourceObject } from '../../../src/core/record.js';

/** `{"a":{"a":…{"a":1}}}` with `levels` objects. */
const nested = (levels: number): string => '{"a":'.repeat(levels - 1) + '{"a":1}' + '}'.repeat(levels - 1);

describe('the nesting cap', () => {
  it('counts levels of objects and arrays, the record itself being level 1', () => {
    expect(nestsDeeperThan({ a: 1 }, 1)).toBe(false);
    expect(nestsDeeperThan({ a: [1] }, 1)).toBe(true);
    expect(nestsDeeperThan(JSON.parse(nested(MAX_DEPTH)), MAX_DEPTH)).toBe(false);
    expect(nestsDeeperThan(JSON.parse(nested(MAX_DEPTH + 1)), MAX_DEPTH)).toBe(true);
    // the record, b's array, its object, c's array, the array in it, the last object: 6 levels
    expect(nestsDeeperThan({ a: 'x', b: [{ c: [[{}]] }] }, 5)).toBe(true);
    expect(nestsDeeperThan({ a: 'x', b: [{ c: [[{}]] }] }, 6)).toBe(false);
  });

  it('is iterative: 200,000 levels are judged without a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nestsDeeperThan(deep, MAX_DEPTH)).toBe(true);
    expect(JSON.stringify(cutBelow(deep, 3))).toBe('[[["…"]]]');
  });

  it('NDJSON and JSON: the deep record is a read reject, cut at the cap; the others are read; fed in pieces of every size', async () => {
    const lines = Buffer.from(`{"id":"N1"}\n{"id":"N2","x":${nested(5000)}}\n{"id":"N3","x":${nested(MAX_DEPTH - 1)}}\n`);
    for (const size of [1, 3, 7, 4096]) {
      const events = await readStdin(lines, size, { format: 'ndjson' });
      expect(events.map((e) => (e.kind === 'record' ? sourceObject(e.data).id : e.reason))).toEqual(['N1', DEPTH_REASON, 'N3']);
    }
    const events = await readStdin(Buffer.from(`[{"id":"J1"},{"id":"J2","x":[${nested(3000)}]},{"id":"J3"}]`), 5, { format: 'json' });
    expect(events.map((e) => (e.kind === 'record' ? sourceObject(e.data).id : e.reason))).toEqual(['J1', DEPTH_REASON, 'J3']);
    const reject = events[1]!;
    if (reject.kind !== 'reject') throw new Error('not a reject');
    const line = JSON.parse(rejectLine(reject)) as { record: unknown };
    expect(nestsDeeperThan(line.record, MAX_DEPTH)).toBe(false);
    expect(JSON.stringify(line.record)).toContain('"…"');
  });

  it('a reject whose record JSON cannot show is still written, naming why', () => {
    const line = JSON.parse(
      rejectLine({ kind: 'reject', prov: { file: 'f', line: 2, seq: 0 }, stage: 'map', reason: 'r', record: { n: 10n } }),
    ) as { record: string; reason: string };
    expect(line.reason).toBe('r');
    expect(line.record).toMatch(/^\(the record cannot be written as JSON: .*BigInt/);
  });
});
