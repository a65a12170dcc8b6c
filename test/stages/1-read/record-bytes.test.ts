import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceSpec } from '../../../src/config/pipeline-spec.js';
import { FORMATS, type RecordText, type TextFormat } from '../../../src/stages/1-read/formats/index.js';
import type { ParsedItem } from '../../../src/stages/1-read/reader.js';

// A record's own text (the format definition's `recordBytes`) must be cut exactly where the reader
// cuts its items: the delta filter will take a text match for an unchanged item. So every case
// is read both ways, in tiny pieces, and the two must agree item for item: same count, same line,
// and the text read alone (after the header) gives the very item the reader gave.

const where = { file: 'input' };
const PIECES = [1, 2, 3, 5, 7, 1 << 20];

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

function readBoth(format: TextFormat, spec: SourceSpec, text: string, size: number): { items: ParsedItem[]; texts: RecordText[] } {
  const reader = format.createReader(spec, where);
  const splitter = format.recordBytes?.(spec, where);
  if (splitter === undefined) throw new Error(`${format.name} has no record bytes`);
  const items: ParsedItem[] = [];
  const texts: RecordText[] = [];
  for (const piece of pieces(text, size)) {
    items.push(...reader.write(piece));
    texts.push(...splitter.write(piece));
  }
  items.push(...reader.end());
  texts.push(...splitter.end());
  return { items, texts };
}

/** The item the reader makes of one record's text alone (with the header line before it, as the file has it). */
function itemOf(format: TextFormat, spec: SourceSpec, header: string | undefined, record: RecordText): ParsedItem | undefined {
  // Lines skipped before the header are not part of a record.
  const alone = spec.csv?.skipLines !== undefined ? { ...spec, csv: { ...spec.csv, skipLines: 0 } } : spec;
  const reader = format.createReader(alone, where);
  const items = [...reader.write(header !== undefined ? `${header}\n${record.text}` : record.text), ...reader.end()];
  expect(items.length, `"${record.text}" alone`).toBe(1);
  const item = items[0];
  return item === undefined ? undefined : { ...item, line: record.line };
}

function agree(name: string, spec: SourceSpec, text: string, header?: string): void {
  const format = textFormat(name);
  const whole = readBoth(format, spec, text, 1 << 20);
  for (const size of PIECES) {
    const { items, texts } = readBoth(format, spec, text, size);
    expect(
      texts.map((t) => t.line),
      `lines, pieces of ${size}`,
    ).toEqual(items.map((i) => i.line));
    expect(texts, `texts, pieces of ${size}`).toEqual(whole.texts);
  }
  whole.texts.forEach((t, k) => {
    const item = whole.items[k] as ParsedItem;
    const again = itemOf(format, spec, header, t);
    if (item.kind === 'record') expect(again, `record ${k}: ${t.text}`).toEqual(item);
    else expect(again?.kind, `reject ${k}: ${t.text}`).toBe('reject');
  });
}

describe("record bytes: a record's own text, cut where the reader cuts", () => {
  it('CSV: csv-spectrum, every file (quotes, escaped quotes, newlines in quotes, CRLF, UTF-8)', () => {
    const dir = join(createRequire(import.meta.url).resolve('csv-spectrum/package.json'), '..', 'csvs');
    const files = readdirSync(dir).filter((f) => f.endsWith('.csv'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      const header = text.split(/\r?\n/)[0];
      agree('csv', { path: file, csv: {} }, text, header);
    }
  });

  it('CSV: the exact bytes of each record, quotes and escapes kept, the line break left out', () => {
    const text = 'id,name,note\r\n1,"Ann ""A"" Smith","two\nlines"\r\n\r\n2,Bob,\n3,Cé,"x,y"';
    const { texts } = readBoth(textFormat('csv'), { path: 'x', csv: {} }, text, 3);
    expect(texts).toEqual([
      { line: 2, text: '1,"Ann ""A"" Smith","two\nlines"' },
      { line: 5, text: '2,Bob,' },
      { line: 6, text: '3,Cé,"x,y"' },
    ]);
    agree('csv', { path: 'x', csv: {} }, text, 'id,name,note');
  });

  it('CSV: rows fast-csv reads in its own way (spaces, a quote inside a field, trim, another escape, comments, skipLines)', () => {
    const header = 'id;name;city';
    agree('csv', { path: 'x', csv: { delimiter: ';' } }, `${header}\n 1;a b ;c\n2;x"y;z\n3; "q" ;w\n`, header);
    agree('csv', { path: 'x', csv: { delimiter: ';', trim: true } }, `${header}\n 1 ; a ;  c\n2;b;c`, header);
    agree('csv', { path: 'x', csv: { escape: '\\' } }, 'a,b\n"x\\"y",z\n"p",q\n', 'a,b');
    agree('csv', { path: 'x', csv: { comment: '#' } }, 'a,b\n# a note\n1,2\n#another\n3,4\n', 'a,b');
    agree('csv', { path: 'x', csv: { skipLines: 2 } }, 'export of\n2026-12-05\na,b\n1,2\n3,4', 'a,b');
  });

  it('CSV: rows the reader rejects (wrong width) still have their text, in their place', () => {
    const format = textFormat('csv');
    const { items, texts } = readBoth(format, { path: 'x', csv: {} }, 'a,b\n1,2\n1,2,3\n4,5\n', 2);
    expect(items.map((i) => i.kind)).toEqual(['record', 'reject', 'record']);
    expect(texts.map((t) => t.text)).toEqual(['1,2', '1,2,3', '4,5']);
  });

  it('CSV without a header line: every row is a record', () => {
    agree('csv', { path: 'x', csv: { headers: false } }, '1,2\n3,4\n', undefined);
    agree('csv', { path: 'x', csv: { headers: ['a', 'b'] } }, '1,2\n3,4', undefined);
  });

  it('NDJSON: each non-blank line, CR dropped; broken lines are rejects in their place', () => {
    const text = '{"a":1}\r\n\n  \n{"a":"x\\ny"}\n[1]\nnot json\n{"a":3}';
    const { items, texts } = readBoth(textFormat('ndjson'), { path: 'x' }, text, 2);
    expect(texts).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"a":"x\\ny"}' },
      { line: 5, text: '[1]' },
      { line: 6, text: 'not json' },
      { line: 7, text: '{"a":3}' },
    ]);
    expect(items.map((i) => i.kind)).toEqual(['record', 'record', 'reject', 'reject', 'record']);
    agree('ndjson', { path: 'x' }, text);
  });

  it('a JSON document and Parquet have no record bytes of their own: their items are compared instead', () => {
    expect(textFormat('json').recordBytes).toBeUndefined();
    expect(FORMATS.get('parquet').kind).toBe('binary');
  });
});
