/**
 * A user's lookup key is the delta state's primary key and the key gate's and batcher's identity:
 * two different (source, sourceId, language) triples must never share one, and the text must stay
 * what earlier runs stored (`JSON.stringify([source, String(sourceId), language ?? null])`), or a
 * state written by an earlier version would see every user as new.
 */
import { describe, expect, it } from 'vitest';
import { lookupKey } from '../../../src/core/resource.js';

const parts = ['', 'a', 'b', ',', '","', '"', '\\', 'a","b', 'a\\",\\"b', 'null', '[', ']', '\u0000', '\ud800', 'é', '1'];

describe('lookupKey', () => {
  it('gives different triples different keys, whatever separators or quotes they hold', () => {
    const seen = new Map<string, string>();
    for (const source of parts)
      for (const sourceId of parts)
        for (const language of [...parts, undefined]) {
          const key = lookupKey('users', { source, sourceId, language })!;
          const triple = JSON.stringify([source, sourceId, language ?? '<none>']);
          expect(seen.get(key), `${triple} and ${seen.get(key)} share ${key}`).toBeUndefined();
          seen.set(key, triple);
        }
    expect(seen.size).toBe(parts.length * parts.length * (parts.length + 1));
    // A missing language and an explicit null are the same user (the API's default language).
    expect(lookupKey('users', { source: 'S', sourceId: '1' })).toBe(lookupKey('users', { source: 'S', sourceId: '1', language: null }));
  });

  it('keeps the text earlier versions stored in the delta state', () => {
    expect(lookupKey('users', { source: 'ERP', sourceId: 42, language: 'NL' })).toBe('["ERP","42","NL"]');
    expect(lookupKey('users', { source: 'ERP', sourceId: 'a"b' })).toBe('["ERP","a\\"b",null]');
    expect(lookupKey('users', { sourceId: '1' })).toBeUndefined();
    expect(lookupKey('usergroups', { id: 7 })).toBe('7');
  });
});
