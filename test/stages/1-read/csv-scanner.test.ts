/**
 * The CSV reader's fast scanner (plain rows) must give exactly what fast-csv gives, and hand
 * over to fast-csv for what fast-csv reads in its own way, whatever the chunking.
 */
import { parseString } from '@fast-csv/parse';
import { describe, expect, it } from 'vitest';
import { CsvRowSplitter, type CsvRow } from '../../../src/stages/1-read/index.js';
// mulberry32 from the demo generator, so the generated file is the same on every run.
import { prng } from '../../../src/demo/demo-data.js';

function split(text: string, chunk: number, options: { delimiter?: string } = {}): CsvRow[] {
  const splitter = new CsvRowSplitter(options, { file: 'x.csv' });
  const rows: CsvRow[] = [];
  for (let i = 0; i < text.length; i += chunk) rows.push(...splitter.write(text.slice(i, i + chunk)));
  rows.push(...splitter.end());
  splitter.finish();
  return rows;
}

function fastCsv(text: string, delimiter = ','): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString(text, { delimiter, ignoreEmpty: true })
      .on('data', (r: string[]) => rows.push(r))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

const VALUES = [
  '',
  'a',
  'two words',
  'trail ',
  'x"y',
  'semi;colon',
  'comma,here',
  'new\nline',
  'cr\rline',
  'crlf\r\nline',
  'Zoë Ångström',
  '""',
  'a\n\nb',
];
const ENDINGS = ['\n', '\r\n', '\r'];

function generate(rowCount: number): { text: string; rows: { fields: string[]; line: number }[] } {
  const r = prng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let text = '';
  let line = 1;
  const rows: { fields: string[]; line: number }[] = [];
  for (let i = 0; i < rowCount; i++) {
    const fields = Array.from({ length: 4 }, () => pick(VALUES));
    // A row must not start with a quote-needing-nothing empty field only: keep one letter first.
    fields[0] = `r${i}`;
    const cells = fields.map((f) => (/[",\r\n]/.test(f) || r() < 0.2 ? `"${f.replace(/"/g, '""')}"` : f));
    rows.push({ fields, line });
    const ending = pick(ENDINGS);
    text += cells.join(',') + ending;
    line += 1 + fields.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    if (r() < 0.1) {
      text += ending;
      line++;
    }
  }
  return { text, rows };
}

describe('CSV fast scanner', () => {
  const { text, rows } = generate(400);

  it.each([1, 2, 5, 64, text.length])(
    'reads generated rows (quotes, doubled quotes, CR/LF/CRLF inside and between) in %i-character chunks',
    (chunk) => {
      expect(split(text, chunk)).toEqual(rows);
    },
  );

  it('gives the fields fast-csv gives for the same text', async () => {
    expect(split(text, 1000).map((r) => r.fields)).toEqual(await fastCsv(text));
  });

  it('counts the lines of a row with two multi-line quoted fields once', () => {
    expect(split('a,b\n"1\n2","3\n4"\nx,y\n', 3)).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1\n2', '3\n4'], line: 2 },
      { fields: ['x', 'y'], line: 5 },
    ]);
  });

  it.each([
    ['  ,a\nb,c\n', 'whitespace-only first field'],
    ['x,  "q" ,z\n1,2,3\n', 'spaces around a quoted field'],
    ['  "lead",b\n', 'spaces before a quoted first field'],
    ['a,b"c,d\n', 'a quote inside an unquoted field'],
    ['   \n\t\na,b\n', 'whitespace-only lines'],
    ['a;b\n"x";"y"\n', 'another delimiter'],
  ])('hands %j to fast-csv and gives what it gives (%s)', async (input, _what) => {
    const delimiter = input.includes(';') ? ';' : ',';
    const expected = await fastCsv(input, delimiter);
    for (const chunk of [1, 3, input.length]) expect(split(input, chunk, { delimiter }).map((r) => r.fields)).toEqual(expected);
  });

  it('still words fast-csv errors for text after a closing quote', () => {
    expect(() => split('a,b\n"x"y,2\n', 100)).toThrow(/malformed CSV: expected: ',' OR new line got: 'y'/);
  });
});
