/**
 * results.ndjson lines are built as text (no object per line, the provenance escaped once per
 * file); they must stay byte for byte what JSON.stringify of the line's object gives.
 */
import { describe, expect, it } from 'vitest';
import type { ResultEvent } from '../../src/core/record.js';
import { resultLine } from '../../src/sink/result-sink.js';

function asObject(r: ResultEvent): string {
  return JSON.stringify({
    file: r.prov.file,
    ...(r.prov.entry !== undefined ? { entry: r.prov.entry } : {}),
    line: r.prov.line,
    key: r.key,
    action: r.action,
    id: r.id,
    success: r.success,
    ...(r.error !== undefined ? { error: r.error } : {}),
    batch: r.batch,
  });
}

const files = ['users.csv', 'C:\\exports\\"quoted" naïve\u2028.csv', '-', 'a\nb\t\u0001.ndjson'];
const entries = [undefined, 'part 1/ü.csv', 'e"\\'];
const keys = ['U1', '["ERP","é \\"x\\"",null]', '', '\ud83d\ude00\u007f'];
const ids: ResultEvent['id'][] = [1000, 0, 'g-7', null, Number.NaN, 1e21];
const errors = [undefined, 'Parent usergroup with id [999] not found.', 'line\nbreak "and" \\ back'];

describe('resultLine', () => {
  it('writes the bytes JSON.stringify would, for every mix of fields, files changing between lines', () => {
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
              expect(resultLine(r)).toBe(asObject(r));
            }
    expect(n).toBe(files.length * entries.length * keys.length * ids.length * errors.length);
  });

  it("does not carry one file's provenance over to another's line", () => {
    const line = (file: string, entry?: string): string =>
      resultLine({ kind: 'result', prov: { file, ...(entry !== undefined ? { entry } : {}), line: 2, seq: 0 }, key: 'k', action: 'create', id: 1, success: true, batch: 1 });
    expect(line('a.zip', 'x.csv')).toBe('{"file":"a.zip","entry":"x.csv","line":2,"key":"k","action":"create","id":1,"success":true,"batch":1}');
    expect(line('a.zip')).toBe('{"file":"a.zip","line":2,"key":"k","action":"create","id":1,"success":true,"batch":1}');
    expect(line('b.csv')).toBe('{"file":"b.csv","line":2,"key":"k","action":"create","id":1,"success":true,"batch":1}');
  });
});
