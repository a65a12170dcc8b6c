import { describe, expect, it } from 'vitest';
import { CONVERTERS } from '../../../src/stages/3-map/convert.js';
import { Invalid } from '../../../src/stages/3-map/invalid.js';

function invalid(v: unknown): string | undefined {
  return v instanceof Invalid ? v.why : undefined;
}

describe('type converters', () => {
  it('string', () => {
    expect(CONVERTERS.string('x')).toBe('x');
    expect(CONVERTERS.string(12)).toBe('12');
    expect(CONVERTERS.string(true)).toBe('true');
    expect(invalid(CONVERTERS.string({ a: 1 }))).toBe('is not text');
  });

  it('integer is strict', () => {
    expect(CONVERTERS.integer('12')).toBe(12);
    expect(CONVERTERS.integer(' -7 ')).toBe(-7);
    expect(CONVERTERS.integer('007')).toBe(7);
    expect(CONVERTERS.integer(42)).toBe(42);
    expect(invalid(CONVERTERS.integer('12.5'))).toBe('is not an integer');
    expect(invalid(CONVERTERS.integer('abc'))).toBe('is not an integer');
    expect(invalid(CONVERTERS.integer('1e3'))).toBe('is not an integer');
    expect(invalid(CONVERTERS.integer(12.5))).toBe('is not an integer');
    expect(invalid(CONVERTERS.integer(true))).toBe('is not an integer');
    expect(invalid(CONVERTERS.integer('99999999999999999999'))).toBe('is too large for an integer');
  });

  it('number accepts dot decimals only', () => {
    expect(CONVERTERS.number('12.5')).toBe(12.5);
    expect(CONVERTERS.number('-.5')).toBe(-0.5);
    expect(CONVERTERS.number('3')).toBe(3);
    expect(CONVERTERS.number('1e3')).toBe(1000);
    expect(CONVERTERS.number(2.25)).toBe(2.25);
    for (const bad of ['12,5', 'abc', '1.2.3', '', '.', 'Infinity', 'NaN', '0x10']) {
      expect(invalid(CONVERTERS.number(bad)), bad).toBe('is not a number');
    }
  });

  it('boolean', () => {
    for (const t of ['true', 'TRUE', '1', 'yes', 'Yes', 1, true]) expect(CONVERTERS.boolean(t), String(t)).toBe(true);
    for (const f of ['false', 'False', '0', 'no', 'NO', 0, false]) expect(CONVERTERS.boolean(f), String(f)).toBe(false);
    expect(invalid(CONVERTERS.boolean('y'))).toMatch(/^is not a boolean/);
    expect(invalid(CONVERTERS.boolean(2))).toMatch(/^is not a boolean/);
  });

  it('yn', () => {
    for (const y of ['true', '1', 'yes', 'y', 'Y', 'YES', true, 1]) expect(CONVERTERS.yn(y), String(y)).toBe('Y');
    for (const n of ['false', '0', 'no', 'n', 'N', false, 0]) expect(CONVERTERS.yn(n), String(n)).toBe('N');
    expect(invalid(CONVERTERS.yn('maybe'))).toMatch(/^is not a Y\/N flag/);
  });
});
