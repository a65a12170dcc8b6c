import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hashBytes, hashLines } from '../../src/resume/break-prefix.js';

/** The file's bytes in pieces of 7, so lines span pieces. */
async function file(name: string, content: string | Buffer): Promise<ReadStream> {
  const path = join(await mkdtemp(join(tmpdir(), 'break-prefix-')), name);
  await writeFile(path, content);
  return createReadStream(path, { highWaterMark: 7 });
}

const rows = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => `R${from + i},${'x'.repeat(50)}\n`).join('');

describe('hashLines', () => {
  it('the same first lines hash the same whatever follows them, across read chunks', async () => {
    const before = await file('a.csv', `id,v\n${rows(300)}R300,"broken`);
    const repaired = await file('b.csv', `id,v\n${rows(302)}`);
    const a = await hashLines(before, false, 301);
    expect(a.lines).toBe(301);
    expect(await hashLines(repaired, false, 301)).toEqual(a);
    const shifted = await file('c.csv', `id,v\nNEW,${'x'.repeat(50)}\n${rows(302)}`);
    expect((await hashLines(shifted, false, 301)).hash).not.toBe(a.hash);
  });

  it('reads gzip inflated, and a corrupt one as far as it inflates', async () => {
    const text = `id,v\n${rows(100)}`;
    const plain = await hashLines(await file('p.csv', text), false, 50);
    expect(await hashLines(await file('g.csv.gz', gzipSync(text)), true, 50)).toEqual(plain);
    const cut = await hashLines(await file('cut.csv.gz', gzipSync(text).subarray(0, 12)), true, 50);
    expect(cut).toEqual(await hashLines(await file('empty.csv', ''), false, 50));
    expect(cut.lines).toBe(0);
  });

  it('an incomplete last line is not part of the prefix', async () => {
    expect(await hashLines(await file('x.csv', 'a\nb\nc'), false, 10)).toEqual(await hashLines(await file('y.csv', 'a\nb\n'), false, 10));
  });

  it('hashBytes: the first n bytes, whatever follows', async () => {
    const a = await hashBytes(await file('a.bin', 'PAR1 group one | group two'), 15);
    expect(a.hash).toBe((await hashBytes(await file('b.bin', 'PAR1 group one | other'), 15)).hash);
    expect(a.hash).not.toBe((await hashBytes(await file('c.bin', 'PAR1 group 0ne | group two'), 15)).hash);
    expect(await hashBytes(await file('d.bin', 'short'), 15)).toMatchObject({ bytes: 5 });
  });
});
