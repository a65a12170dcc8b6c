/**
 * The record-size cap (issue 25): an NDJSON line or CSV record past `source.maxRecordSize` stops
 * the input with its line and the cap named, before it is held whole; below the cap lines are
 * read as before, however the text is cut into pieces.
 */
import { describe, expect, it } from 'vitest';
import { ERR, type EtlError } from '../../../src/core/errors.js';
import { LineSplitter } from '../../../src/stages/1-read/line-splitter.js';
import { collectUntilError, chunked } from './helpers.js';
import { openSource, resolveInputs } from '../../../src/stages/1-read/index.js';
import type { SourceSpec } from '../../../src/config/pipeline-spec.js';

async function readUntilError(data: Buffer, size: number, spec: Omit<SourceSpec, 'path'>): Promise<{ kinds: string[]; error: unknown }> {
  const full: SourceSpec = { ...spec, path: '-' };
  const inputs = await resolveInputs(full, '/');
  const { events, error } = await collectUntilError(openSource(inputs, full, { stdin: chunked(data, size) }));
  return { kinds: events.map((e) => e.kind), error };
}

describe('the record-size cap', () => {
  it('NDJSON: the long line stops the input naming its line, the cap and its key; lines before it are read', async () => {
    const data = Buffer.from(`{"id":"A"}\n{"id":"B"}\n{"id":"${'x'.repeat(3000)}"}\n{"id":"D"}\n`);
    for (const size of [1, 7, 100, 65536]) {
      const { kinds, error } = await readUntilError(data, size, { format: 'ndjson', maxRecordSize: 1024 });
      expect(kinds).toEqual(['record', 'record']);
      expect((error as EtlError).code).toBe(ERR.SOURCE_LIMIT.code);
      expect((error as EtlError).describe()).toBe(
        '-, line 3: a line starting here is longer than 1024 characters (source.maxRecordSize); raise it if such lines are meant',
      );
    }
  });

  it('CSV: a record still open past the cap stops the input, naming the key that raises it', async () => {
    const data = Buffer.from(`id,name\nA,"${'x'.repeat(3000)}\nB,b\n`);
    const { kinds, error } = await readUntilError(data, 64, { format: 'csv', maxRecordSize: 1024 });
    expect(kinds).toEqual([]);
    expect((error as EtlError).message).toMatch(/still open after 1024 characters.*source\.maxRecordSize/);
  });

  it('splits the same lines however the text is cut, a line over many pieces joined once', () => {
    const text = 'a\r\n\nbb\n' + 'c'.repeat(500) + '\nd';
    const expected: [number, string][] = [
      [1, 'a'],
      [3, 'bb'],
      [4, 'c'.repeat(500)],
      [5, 'd'],
    ];
    for (const size of [1, 2, 3, 10, 1000]) {
      const got: [number, string][] = [];
      const s = new LineSplitter(600);
      for (let i = 0; i < text.length; i += size) s.write(text.slice(i, i + size), (line, t) => got.push([line, t]));
      s.end((line, t) => got.push([line, t]));
      expect(got).toEqual(expected);
    }
  });
});
