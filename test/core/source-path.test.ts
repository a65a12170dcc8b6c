import { describe, expect, it } from 'vitest';
import { compilePath, parsePath } from '../../src/core/source-path.js';

describe('parsePath', () => {
  it('splits dotted and indexed paths into steps', () => {
    expect(parsePath('first_name')).toEqual(['first_name']);
    expect(parsePath('name.first')).toEqual(['name', 'first']);
    expect(parsePath('phones[0]')).toEqual(['phones', 0]);
    expect(parsePath('a.b[2].c')).toEqual(['a', 'b', 2, 'c']);
    expect(parsePath('m[1][0]')).toEqual(['m', 1, 0]);
  });

  it('returns undefined for text that can only be a column name', () => {
    for (const text of ['', 'a..b', '.a', 'a.', 'Price [EUR]', 'a[x]', 'a[', '[0]']) {
      expect(parsePath(text), text).toBeUndefined();
    }
  });
});

describe('compilePath', () => {
  it('reads columns, nested objects and array elements', () => {
    const data = { first_name: 'Ann', name: { first: 'Bea' }, phones: ['1', '2'], a: { b: [{}, {}, { c: 'deep' }] } };
    expect(compilePath('first_name')(data)).toBe('Ann');
    expect(compilePath('name.first')(data)).toBe('Bea');
    expect(compilePath('phones[1]')(data)).toBe('2');
    expect(compilePath('a.b[2].c')(data)).toBe('deep');
  });

  it('prefers an own key equal to the whole path (CSV headers with dots)', () => {
    const read = compilePath('address.city');
    expect(read({ 'address.city': 'Delft', address: { city: 'Gouda' } })).toBe('Delft');
    expect(read({ address: { city: 'Gouda' } })).toBe('Gouda');
    expect(compilePath('Price [EUR]')({ 'Price [EUR]': '9' })).toBe('9');
  });

  it('gives undefined for paths that lead nowhere, without reading prototypes', () => {
    const data = { name: 'plain', phones: ['1'], obj: {} };
    expect(compilePath('name.first')(data)).toBeUndefined();
    expect(compilePath('phones[3]')(data)).toBeUndefined();
    expect(compilePath('phones.length')(data)).toBeUndefined();
    expect(compilePath('obj.constructor')(data)).toBeUndefined();
    expect(compilePath('constructor')(data)).toBeUndefined();
    expect(compilePath('name[0]')(data)).toBeUndefined();
    expect(compilePath('missing.x[0].y')(data)).toBeUndefined();
  });
});
