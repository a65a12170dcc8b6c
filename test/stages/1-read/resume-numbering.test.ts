/**
 * Resume relies on `prov.seq` naming the same record on every reading of the same inputs, across
 * part files and archive entries, read rejects included; and on a broken input not swallowing
 * the records read before the break.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/core/errors.js';
import type { SourceSpec } from '../../../src/config/pipeline-spec.js';
import { CHUNK_EVENTS, openSource, resolveInputs } from '../../../src/stages/1-read/index.js';
import { buildZip, collect, collectUntilError } from './helpers.js';
import { tmpDir, type TmpDir } from '../../support/files.js';

let dir: TmpDir;

beforeAll(() => {
  dir = tmpDir();
  mkdirSync(join(dir.path, 'parts'));
  // Part 2 has a ragged row (a read reject) and a different column order; part 3 is empty but for its header.
  writeFileSync(join(dir.path, 'parts/u_part_1.csv.gz'), gzipSync('id,name\n1,Ann\n2,"Bob\nBob"\n'));
  writeFileSync(join(dir.path, 'parts/u_part_2.csv.gz'), gzipSync('name,id\nCas,3\nragged\nDirk,4\n'));
  writeFileSync(join(dir.path, 'parts/u_part_3.csv.gz'), gzipSync('id,name\n'));
  writeFileSync(join(dir.path, 'parts/u_part_4.csv.gz'), gzipSync('id,name\n5,Eva\n'));
  writeFileSync(
    join(dir.path, 'bundle.zip'),
    buildZip([
      { name: 'a.csv', data: Buffer.from('id,name\n1,Ann\n2,Bob\n') },
      { name: 'deep/b.ndjson', data: Buffer.from('{"id":3}\nbroken\n\n{"id":4}\n') },
      { name: 'c.json', data: Buffer.from('[{"id":5},\n7,\n{"id":6}]') },
      { name: 'd.csv.gz', data: gzipSync('id\n8\n9\n'), store: true },
    ]),
  );
  writeFileSync(
    join(dir.path, 'big-then-broken.csv'),
    `id\n${Array.from({ length: 3000 }, (_, i) => String(i)).join('\n')}\n"unterminated\n`,
  );
});

afterAll(() => dir.remove());

async function read(spec: SourceSpec, options: { startSeq?: number; limit?: number } = {}): Promise<unknown[]> {
  return collect(openSource(await resolveInputs(spec, dir.path), spec, options));
}

describe('prov.seq is stable across re-reads', () => {
  it.each([
    ['a glob of gzipped parts', { path: 'parts/u_part_*.csv.gz' }, 6],
    ['a ZIP archive with CSV, NDJSON, JSON and gzipped entries', { path: 'bundle.zip' }, 10],
  ])('%s: every resume point gives the same events as the full reading from there on', async (_name, spec, count) => {
    const full = await read(spec);
    expect(full).toHaveLength(count);
    expect(full.map((e) => (e as { prov: { seq: number } }).prov.seq)).toEqual(full.map((_, i) => i));
    for (let start = 0; start <= full.length; start++) {
      expect(await read(spec, { startSeq: start })).toEqual(full.slice(start));
    }
    for (const limit of [1, 3, full.length]) {
      expect(await read(spec, { limit })).toEqual(full.slice(0, limit));
    }
  });

  it('numbers read rejects and records of different entries in one sequence', async () => {
    const events = (await read({ path: 'bundle.zip' })) as { kind: string; prov: { entry?: string; line: number; seq: number } }[];
    expect(events.map((e) => [e.kind, e.prov.entry, e.prov.line, e.prov.seq])).toEqual([
      ['record', 'a.csv', 2, 0],
      ['record', 'a.csv', 3, 1],
      ['record', 'deep/b.ndjson', 1, 2],
      ['reject', 'deep/b.ndjson', 2, 3],
      ['record', 'deep/b.ndjson', 4, 4],
      ['record', 'c.json', 1, 5],
      ['reject', 'c.json', 2, 6],
      ['record', 'c.json', 3, 7],
      ['record', 'd.csv.gz', 2, 8],
      ['record', 'd.csv.gz', 3, 9],
    ]);
  });
});

describe('a broken input with deferFailure', () => {
  it('ends the stream normally after every record read before the break, and keeps the error', async () => {
    const spec = { path: 'big-then-broken.csv' };
    const stream = openSource(await resolveInputs(spec, dir.path), spec, { deferFailure: true });
    let count = 0;
    // A slow consumer: the reader is well ahead (its buffer full) when it meets the break.
    for await (const ev of stream) {
      expect((ev as { prov: { seq: number } }).prov.seq).toBe(count);
      count++;
      if (count % 100 === 0) await tick();
    }
    expect(count).toBe(3000);
    expect(stream.failure).toBeInstanceOf(SourceError);
    expect((stream.failure as SourceError).describe()).toBe(
      'big-then-broken.csv, line 3002: unterminated quoted field: the file ends before the closing "',
    );
  });

  it('without it, fails the stream (library callers that iterate see the error)', async () => {
    const spec = { path: 'big-then-broken.csv' };
    const { error } = await collectUntilError(openSource(await resolveInputs(spec, dir.path), spec));
    expect(error).toBeInstanceOf(SourceError);
  });
});

describe('chunked reading (the run pipeline reads this way)', () => {
  async function readChunks(spec: SourceSpec, options: { startSeq?: number; limit?: number; deferFailure?: boolean } = {}) {
    const stream = openSource(await resolveInputs(spec, dir.path), spec, { ...options, chunked: true });
    const arrays: unknown[][] = [];
    for await (const chunk of stream) arrays.push(chunk as unknown[]);
    return { arrays, stream };
  }

  it.each([
    ['a glob of gzipped parts', { path: 'parts/u_part_*.csv.gz' }],
    ['a ZIP archive with CSV, NDJSON, JSON and gzipped entries', { path: 'bundle.zip' }],
  ])('%s: the arrays hold exactly the events of a single-event reading, limit and startSeq included', async (_name, spec) => {
    const full = await read(spec);
    expect((await readChunks(spec)).arrays.flat()).toEqual(full);
    for (const start of [0, 2, full.length]) expect((await readChunks(spec, { startSeq: start })).arrays.flat()).toEqual(full.slice(start));
    for (const limit of [1, 3]) expect((await readChunks(spec, { limit })).arrays.flat()).toEqual(full.slice(0, limit));
  });

  it('splits a large parse into arrays of at most CHUNK_EVENTS, none empty, and still defers a break', async () => {
    const { arrays, stream } = await readChunks({ path: 'big-then-broken.csv' }, { deferFailure: true });
    expect(arrays.every((a) => a.length > 0 && a.length <= CHUNK_EVENTS)).toBe(true);
    expect(arrays.length).toBeGreaterThanOrEqual(Math.ceil(3000 / CHUNK_EVENTS));
    expect(arrays.flat().map((e) => (e as { prov: { seq: number } }).prov.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(stream.failure).toBeInstanceOf(SourceError);
  });
});
