import { describe, expect, it } from 'vitest';
import { assertSameInputs, fingerprint, FINGERPRINT_BYTES, type InputIdentity } from '../../src/resume/input-identity.js';
import type { StoredObject } from '../../src/storage/storage.js';

/** An in-memory storage of one object, counting the bytes it was asked for. */
function memory(
  bytes: Uint8Array,
  version = 'v1',
): { object: StoredObject; storage: { readRange(o: StoredObject, s: number, e: number): Promise<Uint8Array> }; read: () => number } {
  let read = 0;
  return {
    object: { display: 'users.csv', location: 'mem://users.csv', size: bytes.length, version },
    storage: {
      readRange(_o, start, end) {
        read += end - start;
        return Promise.resolve(bytes.subarray(start, end));
      },
    },
    read: () => read,
  };
}

const id = (over: Partial<InputIdentity> = {}): InputIdentity => ({
  file: 'users.csv',
  size: 100,
  version: '100:1',
  fingerprint: 'abc',
  ...over,
});

describe('input identity', () => {
  it('fingerprints the first and last 64 KiB only, and sees a change at either end', async () => {
    const big = new Uint8Array(1_000_000).fill(7);
    const m = memory(big);
    const before = await fingerprint(m.object, m.storage);
    expect(m.read()).toBe(2 * FINGERPRINT_BYTES);
    const tail = big.slice();
    tail[tail.length - 1] = 8;
    expect(await fingerprint(memory(tail).object, memory(tail).storage)).not.toBe(before);
    const middle = big.slice();
    middle[500_000] = 8;
    // A change in the middle is left to the version (size and time, or ETag).
    expect(await fingerprint(memory(middle).object, memory(middle).storage)).toBe(before);
    const small = memory(new Uint8Array([1, 2, 3]));
    await fingerprint(small.object, small.storage);
    expect(small.read()).toBe(3);
  });

  it('refuses, naming the input and what changed', () => {
    expect(() => assertSameInputs([id()], [id()])).not.toThrow();
    expect(() => assertSameInputs([id()], [id({ size: 120, version: '120:2', fingerprint: 'def' })])).toThrow(
      expect.objectContaining({
        code: 'ETL_INPUT_CHANGED',
        exitCode: 2,
        context: { file: 'users.csv', key: 'source.path' },
        message: expect.stringMatching(
          /it changed since the run started \(size 100 bytes → 120 bytes, version 100:1 → 120:2, content differs\).*--fresh$/,
        ),
      }),
    );
    expect(() => assertSameInputs([id(), id({ file: 'b.csv' })], [id()])).toThrow(/b\.csv|gone/);
    expect(() => assertSameInputs([id()], [id(), id({ file: 'c.csv' })])).toThrow(/new since the run started/);
    // An object store's ETag is its version.
    expect(() => assertSameInputs([id({ version: '"etag-1"' })], [id({ version: '"etag-2"' })])).toThrow(/version "etag-1" → "etag-2"/);
  });

  it('an archive is judged by its entries, not by its bytes', () => {
    const zip = (crc: number, over: Partial<InputIdentity> = {}): InputIdentity =>
      id({ file: 'a.zip', entries: [{ name: 'u.csv', crc, size: 10 }], ...over });
    expect(() => assertSameInputs([zip(1)], [zip(1, { version: 'other', fingerprint: 'other' })])).not.toThrow();
    expect(() => assertSameInputs([zip(1)], [zip(2)])).toThrow(
      /its entry u\.csv changed since the run started \(CRC 00000001 → 00000002\)/,
    );
  });

  it('stdin cannot be compared and is not', () => {
    const stdin = id({ file: '-', size: 0, version: 'stdin', fingerprint: '' });
    expect(() => assertSameInputs([stdin], [stdin])).not.toThrow();
  });
});
