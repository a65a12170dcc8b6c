/**
 * Issue 23's differential test: a delta night that knows records by their own bytes
 * (core/known-bytes.ts) decides exactly as one that compares every record as an item
 * (`delta.compareBytes: false`). Two states, two emulators, the same seeded nights, each night
 * run once each way: what is sent (every item, its body), the counts, the orphans and the
 * stores must be the same, while the bytes path really was taken (summary.json delta.byBytes).
 *
 * The nights change mapped and unmapped columns, quote a field that needed no quotes (CSV) or
 * write a line's JSON another way (NDJSON), reorder the rows, repeat keys (the changed version
 * before and after the known one, and the same row twice), drop and add rows, reject rows (by
 * the mapper, key still mapped; by the validator, no key), change the mapping between two nights,
 * and name two CSV columns the other way round over the same rows (NDJSON: another key order).
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, startEmulator, type Emulator } from '../../src/index.js';
import { prng } from '../../src/demo/demo-data.js';

interface Row {
  no: string;
  first: string;
  last: string;
  dob: string;
  note: string;
}

const COLUMNS = ['no', 'first', 'last', 'dob', 'note'] as const;

const WORDS = ['Anna', 'Bram', 'Chloé', 'Dirk, jr.', 'Eva "Evi"', 'Fenna\nvan Dijk', 'Gijs', 'Øystein', '  Hanna ', '李', ''];

function person(r: () => number, no: string): Row {
  const pick = (): string => WORDS[Math.floor(r() * WORDS.length)] as string;
  const day = 1 + Math.floor(r() * 28);
  return {
    no,
    first: pick() || 'X',
    last: pick(),
    dob: `19${50 + Math.floor(r() * 50)}-0${1 + Math.floor(r() * 9)}-${String(day).padStart(2, '0')}`,
    note: pick(),
  };
}

interface Night {
  rows: Row[];
  /** Each line's key order (NDJSON). */
  order: readonly (typeof COLUMNS)[number][];
  /** CSV: the header names first and last the other way round, the rows as before: each row's text is the same, its item is not. */
  swapped: boolean;
  /** Fields quoted though they need no quotes (CSV), or lines written with spaces and escapes (NDJSON), by row. */
  restyled: Set<number>;
  /** The second mapping (lastName upper-cased) from this night on. */
  mapping: 1 | 2;
}

function csvField(v: string, force: boolean): string {
  return force || /[",\n\r]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v;
}

function csv(night: Night): string {
  const lines = [COLUMNS.map((c) => (night.swapped && c === 'first' ? 'last' : night.swapped && c === 'last' ? 'first' : c)).join(',')];
  night.rows.forEach((row, i) => lines.push(COLUMNS.map((c) => csvField(row[c], night.restyled.has(i))).join(',')));
  return lines.join('\r\n') + '\r\n';
}

function ndjson(night: Night): string {
  return (
    night.rows
      .map((row, i) => {
        const obj = Object.fromEntries(night.order.map((c) => [c, row[c]]));
        // The same values written another way: spaces, and non-ASCII as \u escapes.
        return night.restyled.has(i)
          ? JSON.stringify(obj, null, 1)
              .replaceAll('\n', '')
              .replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
          : JSON.stringify(obj);
      })
      .join('\n') + '\n'
  );
}

/** Night 0, then six nights each changed from the one before in the ways the file's comment lists. */
function nights(seed: number): Night[] {
  const r = prng(seed);
  const pickIndex = (rows: readonly Row[]): number => Math.floor(r() * rows.length);
  let rows = Array.from({ length: 160 }, (_, i) => person(r, `K${String(i).padStart(4, '0')}`));
  const out: Night[] = [{ rows, order: COLUMNS, swapped: false, restyled: new Set(), mapping: 1 }];
  let next = 160;
  for (let k = 1; k <= 6; k++) {
    rows = rows.map((row) => ({ ...row }));
    // Mapped columns, an unmapped one, a trim-only change (the mapping trims firstName).
    for (let i = 0; i < 8; i++) (rows[pickIndex(rows)] as Row).first = (WORDS[Math.floor(r() * WORDS.length)] as string) || 'Y';
    for (let i = 0; i < 8; i++) (rows[pickIndex(rows)] as Row).note = `note ${k}-${i}`;
    for (let i = 0; i < 4; i++) {
      const row = rows[pickIndex(rows)] as Row;
      row.first = row.first.trim() === row.first ? ` ${row.first} ` : row.first.trim() || 'Z';
    }
    // Rejects: a date that is no date (the mapper refuses it, the key still maps), and a row without a key (the validator refuses it).
    (rows[pickIndex(rows)] as Row).dob = '1999-02-31';
    if (k % 2 === 0) rows.push({ ...person(r, ''), no: '' });
    // Gone and new.
    rows.splice(pickIndex(rows), 3);
    for (let i = 0; i < 4; i++) rows.push(person(r, `K${String(next++).padStart(4, '0')}`));
    const night: Night = {
      rows,
      order: k >= 5 ? ['note', 'last', 'no', 'dob', 'first'] : COLUMNS,
      swapped: k >= 5,
      restyled: new Set(),
      mapping: k >= 4 ? 2 : 1,
    };
    // The same key twice: a changed version before the known one, after it, and one row twice.
    const dupes: Row[] = [];
    const a = rows[pickIndex(rows)] as Row;
    dupes.push({ ...a, last: `${a.last}-earlier` });
    const b = rows[pickIndex(rows)] as Row;
    const c = rows[pickIndex(rows)] as Row;
    night.rows = [...dupes, ...rows, { ...b, last: `${b.last}-later` }, { ...c }];
    // Reordered (not the dupes' places relative to their originals' order: they stay first and last).
    const middle = night.rows.slice(1, -2);
    for (let i = middle.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [middle[i], middle[j]] = [middle[j] as Row, middle[i] as Row];
    }
    night.rows = [night.rows[0] as Row, ...middle, ...night.rows.slice(-2)];
    for (let i = 0; i < night.rows.length; i++) if (r() < 0.1) night.restyled.add(i);
    out.push(night);
    rows = night.rows.slice(1, -2);
  }
  return out;
}

function pipelineYaml(format: 'csv' | 'ndjson', mapping: 1 | 2, compareBytes: boolean): string {
  return [
    'name: diff',
    'resource: users',
    `source: { path: users.${format}${format === 'csv' ? ', csv: { headers: true }' : ''} }`,
    'mapping:',
    '  source: { value: ERP }',
    '  sourceId: no',
    '  language: { value: NL }',
    '  firstName: { from: first, transform: [trim] }',
    `  lastName: ${mapping === 2 ? '{ from: last, transform: [upper] }' : 'last'}`,
    '  dateOfBirth: { from: dob, date: YYYY-MM-DD }',
    'batch: { size: 20 }',
    'send: { concurrency: 1 }',
    'errors: { maxRejects: 50% }',
    `delta: { compareBytes: ${compareBytes} }`,
    '',
  ].join('\n');
}

interface Side {
  readonly emu: Emulator;
  readonly dir: string;
  readonly compareBytes: boolean;
}

async function side(compareBytes: boolean): Promise<Side> {
  return { emu: await startEmulator({}), dir: await mkdtemp(join(tmpdir(), 'delta-diff-')), compareBytes };
}

/** One night on one side: what it sent (each request's items, in order), its counts, its orphans, and how many records it knew by their bytes. */
async function runNight(s: Side, format: 'csv' | 'ndjson', night: Night, k: number): Promise<unknown> {
  await mkdir(s.dir, { recursive: true });
  await writeFile(join(s.dir, `users.${format}`), format === 'csv' ? csv(night) : ndjson(night));
  await writeFile(join(s.dir, 'users.yaml'), pipelineYaml(format, night.mapping, s.compareBytes));
  const c = s.emu.clients[0]!;
  const target = {
    name: 'propel',
    kind: 'http' as const,
    baseUrl: s.emu.baseUrl,
    tokenUrl: s.emu.tokenUrl,
    clientId: c.id,
    clientSecret: c.secret,
  };
  s.emu.log.clear();
  const out = `night${k}`;
  const result = await runPipeline({ pipeline: join(s.dir, 'users.yaml'), target, cwd: s.dir, out, state: 'state' });
  const summary = JSON.parse(await readFile(join(s.dir, out, 'summary.json'), 'utf8')) as {
    counts: Record<string, number>;
    delta?: { byBytes: number };
  };
  const orphans = (await readFile(join(s.dir, out, 'orphans.ndjson'), 'utf8').catch(() => ''))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { key: string }).key);
  const rejects = (await readFile(join(s.dir, out, 'rejects.ndjson'), 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const j = JSON.parse(l) as { line: number; stage: string; reason: string };
      return `${j.line} ${j.stage} ${j.reason}`;
    })
    .sort();
  const { byBytes: _byBytes, ...counts } = { ...summary.counts, byBytes: 0 };
  return {
    exitCode: result.exitCode,
    sent: s.emu.log.entries().map((e) => e.keys),
    counts,
    orphans,
    rejects,
    byBytes: summary.delta?.byBytes ?? 0,
    stored: s.emu.store
      .users()
      .map((u) => JSON.stringify(u.item))
      .sort(),
  };
}

describe('delta: records known by their bytes decide exactly as items compared (issue 23)', { timeout: 120_000 }, () => {
  let bytes: Side;
  let items: Side;
  beforeAll(async () => {
    [bytes, items] = await Promise.all([side(true), side(false)]);
  });
  afterAll(async () => {
    await Promise.all([bytes.emu.close(), items.emu.close()]);
  });

  for (const [format, seed] of [
    ['csv', 11],
    ['ndjson', 23],
    ['csv', 37],
  ] as const) {
    it(`${format}, seed ${seed}: seven nights, the same decisions night by night`, async () => {
      bytes.emu.store.clear();
      items.emu.store.clear();
      const all = nights(seed);
      const usedBytes: number[] = [];
      for (const [k, night] of all.entries()) {
        const [a, b] = await Promise.all([
          runNight({ ...bytes, dir: join(bytes.dir, `${format}-${seed}`) }, format, night, k),
          runNight({ ...items, dir: join(items.dir, `${format}-${seed}`) }, format, night, k),
        ]);
        const { byBytes: aBytes, ...aRest } = a as { byBytes: number };
        const { byBytes: bBytes, ...bRest } = b as { byBytes: number };
        expect(aRest, `night ${k}`).toEqual(bRest);
        expect(bBytes, `night ${k}: compareBytes false knows nothing by bytes`).toBe(0);
        usedBytes.push(aBytes);
      }
      // Night 0 has nothing to know; later nights knew most rows by their bytes, except where the fingerprint changed (header order, mapping).
      expect(usedBytes[0]).toBe(0);
      for (const k of [1, 2, 3, 6]) expect(usedBytes[k], `night ${k}`).toBeGreaterThan(100);
      expect(usedBytes[4], 'night 4: the mapping changed, nothing is known by bytes').toBe(0);
      expect(usedBytes[5], 'night 5: the header (CSV) or the key order (NDJSON) changed').toBe(0);
    });
  }
});
