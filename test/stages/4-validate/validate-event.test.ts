import { describe, expect, it } from 'vitest';
import { reject, type ItemEvent, type ItemRecord } from '../../../src/core/record.js';
import { createItemValidator } from '../../../src/stages/4-validate/item-validator.js';
import { validateEvent } from '../../../src/stages/4-validate/validate-event.js';

function itemRecord(seq: number, item: Record<string, unknown>): ItemRecord {
  return { kind: 'item', prov: { file: 'in.csv', line: seq + 2, seq }, item, key: String(seq), source: { row: seq } };
}

function run(events: ItemEvent[]): ItemEvent[] {
  const validate = createItemValidator('users');
  return events.map((e) => validateEvent(validate, e));
}

describe('validateEvent', () => {
  it('passes valid items through unchanged, turns invalid ones into validate rejects, keeps earlier rejects', () => {
    const good = itemRecord(0, { source: 'ERP', sourceId: 'A' });
    const bad = itemRecord(1, { source: 'ERP', sourceId: 'B', gender: 'X' });
    const earlier = reject({ file: 'in.csv', line: 4, seq: 2 }, 'map', 'dob: not a date', { row: 2 });
    const out = run([good, bad, earlier]);
    expect(out).toHaveLength(3);
    expect(out[0]).toBe(good);
    expect(out[1]).toEqual({
      kind: 'reject',
      prov: bad.prov,
      stage: 'validate',
      reason: 'gender: must be one of M, F, U (got "X")',
      record: { row: 1 },
      // The row's key goes with it: a delta run then knows the row is still in the export.
      key: '1',
    });
    expect(out[2]).toBe(earlier);
  });

  it('a record with several problems lists them all in reasons, the first problem still its reason', () => {
    const bad = itemRecord(3, {
      source: 'ERP',
      sourceId: 'C',
      gender: 'X',
      email: 42,
      addresses: [{ type: 'invoice', country: 'NETHERLANDS' }],
    });
    const [out] = run([bad]);
    expect(out).toMatchObject({ kind: 'reject', stage: 'validate', reason: 'gender: must be one of M, F, U (got "X")' });
    const reasons = (out as { reasons?: string[] }).reasons ?? [];
    expect(reasons[0]).toBe('gender: must be one of M, F, U (got "X")');
    expect(reasons).toEqual(
      expect.arrayContaining([
        'email: must be a string (got integer 42)',
        'addresses[0].country: must match ^[A-Z]{2}$ (got "NETHERLANDS")',
      ]),
    );
    expect(new Set(reasons).size).toBe(reasons.length);
  });

  it('a record with one problem carries no reasons list of its own (the sink writes [reason])', () => {
    const [out] = run([itemRecord(4, { source: 'ERP', sourceId: 'D', gender: 'X' })]);
    expect(out).not.toHaveProperty('reasons');
  });
});
