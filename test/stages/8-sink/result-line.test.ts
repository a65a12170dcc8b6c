/**
 * results.ndjson lines are written as bytes (no object or string per line, the provenance escaped
 * once per file); they must stay byte for byte what JSON.stringify of the line's object gives.
 */
import { describe, expect, it } from 'vitest';
import type { ResultEvent } from '../../../src/core/record.js';
import { LineBytes } from '../../../src/stages/8-sink/line-bytes.js';
import { ProvenanceHead, writeResultLine } from '../../../src/stages/8-sink/result-sink.js';

/** One line through a buffer that starts too small, so growing is exercised too. */
function resultLine(r: ResultEvent, out = new LineBytes(8)): string {
  out.clear();
  writeResultLine(out, r, new ProvenanceHead());
  return out.view().toString('utf8');
}

function asObject(r: ResultEvent): string {
  return (
    JSON.stringify({
      file: r.prov.file,
      ...(r.prov.entry !== undefined ? { entry: r.prov.entry } : {}),
      line: r.prov.line,
      key: r.key,
      action: r.action,
      id: r.id,
      success: r.success,
      ...(r.error !== undefined ? { error: r.error } : {}),
      batch: r.batch,
    }) + '\n'
  );
}

const files = ['users.csv', 'C:\\exports\\"quoted" naïve\u2028.csv', '-', 'a\nb\t\u0001.ndjson'];
const entries = [undefined, 'part 1/ü.csv', 'e"\\'];
const keys = ['U1', 'say "hi"', 'C:\\x', '["ERP","é \\"x\\"",null]', '', '\ud83d\ude00\u007f', 'lone \ud800 surrogate', '~ \u001f'];
const ids: ResultEvent['id'][] = [
  1000,
  0,
  9,
  10,
  'g-7',
  null,
  Number.NaN,
  1e21,
  -3,
  -0,
  2.5,
  Number.MAX_SAFE_INTEGER,
  2 ** 53 + 2,
  Infinity,
];
const errors = [undefined, 'Parent usergroup with id [999] not found.', 'line\nbreak "and" \\ back'];

describe('writeResultLine', () => {
  it('writes the bytes JSON.stringify would, for every mix of fields, files changing between lines', () => {
    const out = new LineBytes(8);
    let n = 0;
    for (const file of files)
      for (const entry of entries)
        for (const key of keys)
          for (const id of ids)
            for (const error of errors) {
              n++;
              const r: ResultEvent = {
                kind: 'result',
                prov: { file, ...(entry !== undefined ? { entry } : {}), line: n, seq: n - 1 },
                key,
                action: n % 3 === 0 ? 'update' : 'create',
                id,
                success: error === undefined,
                ...(error !== undefined ? { error } : {}),
                batch: 1 + (n % 7),
              };
              expect(resultLine(r, out)).toBe(asObject(r));
            }
    expect(n).toBe(files.length * entries.length * keys.length * ids.length * errors.length);
  });

  it("does not carry one file's provenance over to another's line", () => {
    const line = (file: string, entry?: string): string =>
      resultLine({
        kind: 'result',
        prov: { file, ...(entry !== undefined ? { entry } : {}), line: 2, seq: 0 },
        key: 'k',
        action: 'create',
        id: 1,
        success: true,
        batch: 1,
      });
    expect(line('a.zip', 'x.csv')).toBe(
      '{"file":"a.zip","entry":"x.csv","line":2,"key":"k","action":"create","id":1,"success":true,"batch":1}\n',
    );
    expect(line('a.zip')).toBe('{"file":"a.zip","line":2,"key":"k","action":"create","id":1,"success":true,"batch":1}\n');
    expect(line('b.csv')).toBe('{"file":"b.csv","line":2,"key":"k","action":"create","id":1,"success":true,"batch":1}\n');
  });
});

describe('LineBytes', () => {
  it('writes many lines one after another into one growing buffer, as their concatenation', () => {
    const out = new LineBytes(16);
    const head = new ProvenanceHead();
    const expected: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const r: ResultEvent = {
        kind: 'result',
        prov: { file: i % 500 === 0 ? `f${i}.csv` : 'f.csv', line: i + 2, seq: i },
        key: `K${i}\u00e9`,
        action: 'create',
        id: i * 7919,
        success: true,
        batch: 1 + Math.floor(i / 500),
      };
      writeResultLine(out, r, head);
      expected.push(asObject(r));
    }
    expect(out.view().toString('utf8')).toBe(expected.join(''));
    out.clear();
    expect(out.length).toBe(0);
  });
});
