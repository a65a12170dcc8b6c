import { describe, expect, it } from 'vitest';
import { type ItemEvent, type ReadEvent, reject } from '../../../src/core/record.js';
import { compileMapping } from '../../../src/stages/3-map/compile-mapping.js';
import { mapEvent } from '../../../src/stages/3-map/map-event.js';

const prov = (line: number) => ({ file: 'users.csv', line, seq: line - 2 });

function run(
  events: ReadEvent[],
  resource: 'users' | 'usergroups',
  mapping = compileMapping({
    source: { value: 'ERP' },
    sourceId: 'no',
    id: { from: 'gid', type: 'integer' },
    age: { from: 'age', type: 'integer' },
  }),
): ItemEvent[] {
  return events.map((e) => mapEvent(mapping, resource, e));
}

describe('mapEvent', () => {
  it('emits items with their lookup key, map rejects, and passes read rejects through', () => {
    const readReject = reject(prov(4), 'read', 'unterminated quote', 'raw "text');
    const out = run(
      [
        { kind: 'record', prov: prov(2), data: { no: 'C1', age: '40' } },
        { kind: 'record', prov: prov(3), data: { no: 'C2', age: 'old' } },
        readReject,
        { kind: 'record', prov: prov(5), data: { age: '1' } },
      ],
      'users',
    );
    expect(out).toHaveLength(4);
    expect(out[0]).toEqual({
      kind: 'item',
      prov: prov(2),
      item: { source: 'ERP', sourceId: 'C1', age: 40 },
      key: JSON.stringify(['ERP', 'C1', null]),
      source: { no: 'C1', age: '40' },
    });
    expect(out[1]).toEqual({
      kind: 'reject',
      prov: prov(3),
      stage: 'map',
      reason: 'age: "old" is not an integer',
      record: { no: 'C2', age: 'old' },
    });
    expect(out[2]).toBe(readReject);
    // No sourceId: still an item, with key '' for the validator to reject.
    expect(out[3]).toMatchObject({ kind: 'item', key: '', item: { source: 'ERP', age: 1 } });
  });

  it('keys usergroups by id', () => {
    const out = run([{ kind: 'record', prov: prov(2), data: { gid: '12' } }], 'usergroups');
    expect(out[0]).toMatchObject({ kind: 'item', key: '12', item: { id: 12 } });
  });

  it('keeps the order of events', () => {
    const events: ReadEvent[] = [];
    for (let i = 0; i < 500; i++) events.push({ kind: 'record', prov: prov(i + 2), data: { no: `C${i}`, age: String(i) } });
    const out = run(events, 'users');
    expect(out.map((e) => (e.kind === 'item' ? e.item.sourceId : e.reason))).toEqual(events.map((_, i) => `C${i}`));
  });
});
