import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceSpec } from '../../../src/config/pipeline-spec.js';
import { textHash, type KnownBytes } from '../../../src/core/known-bytes.js';
import { FORMATS, type TextFormat } from '../../../src/stages/1-read/formats/index.js';
import type { ParsedItem } from '../../../src/stages/1-read/reader.js';

// A delta night takes a record whose own text hashes to an acknowledged one for unchanged
// (core/known-bytes.ts). So the reader must hash exactly the record's text, cut where it cuts
// the record, whatever the pieces the text comes in; and a known record read again from its text
// must be the very record the reader makes of it. Every case is read in tiny pieces, twice: once
// knowing nothing (each record carries its hash), once knowing every hash (each comes as known).

const where = { file: 'input' };
const PIECES = [1, 2, 3, 5, 7, 1 << 20];
const FP = 'fingerprint';

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function textFormat(name: string): TextFormat {
  const f = FORMATS.get(name);
  if (f.kind !== 'text') throw new Error(`${name} is not a text format`);
  return f;
}

/** Knows the hashes in `known` (slot = their order); notes every hash it is asked about. */
function knowing(known: readonly string[] = []): KnownBytes & { asked: string[] } {
  const asked: string[] = [];
  return { fingerprint: FP, asked, take: (h) => (asked.push(h), known.indexOf(h)) };
}

function read(format: TextFormat, spec: SourceSpec, text: string, size: number, known: KnownBytes): ParsedItem[] {
  const reader = format.createReader(spec, where, known);
  const items: ParsedItem[] = [];
  for (const piece of pieces(text, size)) items.push(...reader.write(piece));
  items.push(...reader.end());
  reader.finish();
  return items;
}

/** What the reader makes without a delta night: the records and rejects, no hash. */
function plain(format: TextFormat, spec: SourceSpec, text: string): ParsedItem[] {
  const reader = format.createReader(spec, where);
  return [...reader.write(text), ...reader.end()];
}

function agree(name: string, spec: SourceSpec, text: string): ParsedItem[] {
  const format = textFormat(name);
  const first = read(format, spec, text, 1 << 20, knowing());
  const expected = plain(format, spec, text);
  // Hashing changes nothing of the records: they carry their hash besides.
  expect(first.map((i) => (i.kind === 'record' ? { kind: i.kind, line: i.line, data: i.data } : i))).toEqual(expected);
  const hashes = first.flatMap((i) => (i.kind === 'record' ? [i.textHash as string] : []));
  expect(hashes.every((h) => typeof h === 'string' && h.length === 22)).toBe(true);
  for (const size of PIECES) {
    expect(read(format, spec, text, size, knowing()), `pieces of ${size}`).toEqual(first);
    const again = read(format, spec, text, size, knowing(hashes));
    expect(
      again.map((i) => [i.kind, i.line]),
      `known, pieces of ${size}`,
    ).toEqual(first.map((i) => [i.kind === 'record' ? 'known' : i.kind, i.line]));
    again.forEach((i, k) => {
      if (i.kind !== 'known') return;
      expect(i.textHash).toBe(hashes[i.slot]);
      // Read again from its text alone, it is the record the reader made in its place.
      expect({ ...i.from.reread(i.text, i.line, i.textHash), line: i.line }, `record ${k}: ${i.text}`).toEqual(first[k]);
    });
  }
  return first;
}

const csvPrefix = (headers: readonly string[] | null): string => `${textHash(FP, `\ncsv\n${JSON.stringify(headers)}`)}\n`;

describe("record bytes: a record's own text, cut where the reader cuts, hashed before anything is built", () => {
  it('CSV: csv-spectrum, every file (quotes, escaped quotes, newlines in quotes, CRLF, UTF-8)', () => {
    const dir = join(createRequire(import.meta.url).resolve('csv-spectrum/package.json'), '..', 'csvs');
    const files = readdirSync(dir).filter((f) => f.endsWith('.csv'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) agree('csv', { path: file, csv: {} }, readFileSync(join(dir, file), 'utf8'));
  });

  it('CSV: the exact text of each record, quotes and escapes kept, the line break left out, under the header', () => {
    const text = 'id,name,note\r\n1,"Ann ""A"" Smith","two\nlines"\r\n\r\n2,Bob,\n3,Cé,"x,y"';
    const items = agree('csv', { path: 'x', csv: {} }, text);
    const prefix = csvPrefix(['id', 'name', 'note']);
    expect(items.map((i) => (i.kind === 'record' ? i.textHash : undefined))).toEqual(
      ['1,"Ann ""A"" Smith","two\nlines"', '2,Bob,', '3,Cé,"x,y"'].map((t) => textHash(prefix, t)),
    );
    // Another header order is another prefix: the same row text is another hash.
    const swapped = agree('csv', { path: 'x', csv: {} }, 'name,id,note\r\n1,"Ann ""A"" Smith","two\nlines"');
    expect(swapped[0]?.kind === 'record' && swapped[0].textHash).not.toBe(textHash(prefix, '1,"Ann ""A"" Smith","two\nlines"'));
  });

  it('CSV: rows fast-csv reads in its own way (spaces, a quote inside a field, trim, another escape, comments, skipLines)', () => {
    const header = 'id;name;city';
    agree('csv', { path: 'x', csv: { delimiter: ';' } }, `${header}\n 1;a b ;c\n2;x"y;z\n3; "q" ;w\n`);
    agree('csv', { path: 'x', csv: { delimiter: ';', trim: true } }, `${header}\n 1 ; a ;  c\n2;b;c`);
    agree('csv', { path: 'x', csv: { escape: '\\' } }, 'a,b\n"x\\"y",z\n"p",q\n');
    agree('csv', { path: 'x', csv: { comment: '#' } }, 'a,b\n# a note\n1,2\n#another\n3,4\n');
    agree('csv', { path: 'x', csv: { skipLines: 2 } }, 'export of\n2026-12-05\na,b\n1,2\n3,4');
  });

  it('CSV: rows the reader rejects (wrong width) stay rejects, never known, in their place', () => {
    const known = knowing();
    const items = read(textFormat('csv'), { path: 'x', csv: {} }, 'a,b\n1,2\n1,2,3\n4,5\n', 2, known);
    expect(items.map((i) => i.kind)).toEqual(['record', 'reject', 'record']);
    agree('csv', { path: 'x', csv: {} }, 'a,b\n1,2\n1,2,3\n4,5\n');
  });

  it('CSV without a header line: every row is a record, hashed under the configured names', () => {
    agree('csv', { path: 'x', csv: { headers: false } }, '1,2\n3,4\n');
    const named = agree('csv', { path: 'x', csv: { headers: ['a', 'b'] } }, '1,2\n3,4');
    expect(named[0]?.kind === 'record' && named[0].textHash).toBe(textHash(csvPrefix(['a', 'b']), '1,2'));
  });

  it('NDJSON: each non-blank line, CR dropped; broken lines are rejects in their place, never known', () => {
    const text = '{"a":1}\r\n\n  \n{"a":"x\\ny"}\n[1]\nnot json\n{"a":3}';
    const items = agree('ndjson', { path: 'x' }, text);
    expect(items.map((i) => i.kind)).toEqual(['record', 'record', 'reject', 'reject', 'record']);
    expect(items.map((i) => (i.kind === 'record' ? i.textHash : undefined))).toEqual([
      textHash(`${FP}\nndjson\n`, '{"a":1}'),
      textHash(`${FP}\nndjson\n`, '{"a":"x\\ny"}'),
      undefined,
      undefined,
      textHash(`${FP}\nndjson\n`, '{"a":3}'),
    ]);
  });

  it('a JSON document and Parquet have no record bytes of their own: their items are compared instead', () => {
    expect(textFormat('json').recordBytes).toBeUndefined();
    expect(textFormat('csv').recordBytes).toBe(true);
    expect(textFormat('ndjson').recordBytes).toBe(true);
    expect(FORMATS.get('parquet').kind).toBe('binary');
  });
});
