import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Batch, ItemRecord, Outcome } from '../../../../src/core/record.js';
import { DeferredPasses, SPILL_FILE_PREFIX } from '../../../../src/stages/7-send/deferred/index.js';
import { runDeferredPasses } from '../../../../src/run/run-passes.js';
import type { BatchSender } from '../../../../src/stages/7-send/send-stream.js';
import { Journal, readJournal } from '../../../../src/resume/journal.js';
import { PrivateFile } from '../../../../src/core/private-file.js';
import { createResultSink } from '../../../../src/stages/8-sink/result-sink.js';
import { emptyCounts } from '../../../../src/outcomes/index.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBatchStream } from '../../../../src/stages/6-batch/batch-stream.js';
import { createSendStream } from '../../../../src/stages/7-send/send-stream.js';
import { ItemBytes } from '../../../../src/core/item-bytes.js';

interface Group {
  readonly id: number;
  readonly name: string;
  readonly parent?: { readonly id: number };
}

/** A tiny usergroups API: upserts by id, refuses a child whose parent is not stored, answers like BulkClient. */
class FakeApi implements BatchSender {
  readonly store = new Map<number, Group>();
  readonly sent: number[][] = [];

  async sendBatch(batch: Batch): Promise<Outcome[]> {
    await new Promise((r) => setImmediate(r));
    this.sent.push(batch.records.map((r) => r.prov.seq));
    const out: Outcome[] = [];
    for (const rec of batch.records) {
      const g = rec.item as unknown as Group;
      const action = this.store.has(g.id) ? 'update' : 'create';
      if (g.parent !== undefined && !this.store.has(g.parent.id)) {
        const error = `Parent usergroup with id [${g.parent.id}] not found.`;
        out.push({ kind: 'result', prov: rec.prov, key: String(g.id), action, id: null, success: false, error, batch: batch.seq });
        out.push({ kind: 'reject', prov: rec.prov, stage: 'api', reason: error, record: rec.source });
        continue;
      }
      this.store.set(g.id, g);
      out.push({ kind: 'result', prov: rec.prov, key: String(g.id), action, id: g.id, success: true, batch: batch.seq });
    }
    return out;
  }
}

function rec(seq: number, g: Group): ItemRecord {
  return {
    kind: 'item',
    prov: { file: 'groups.ndjson', line: seq + 1, seq },
    item: { ...g },
    key: String(g.id),
    source: { ...g, row: seq },
  };
}

/** 1 root, `regions` regions, `per` branches under each, deepest first. */
function tree(regions: number, per: number): ItemRecord[] {
  const groups: Group[] = [];
  for (let r = 0; r < regions; r++)
    for (let b = 0; b < per; b++) groups.push({ id: 1000 + r * 100 + b, name: `branch ${r}.${b}`, parent: { id: 100 + r } });
  for (let r = 0; r < regions; r++) groups.push({ id: 100 + r, name: `region ${r}`, parent: { id: 1 } });
  groups.push({ id: 1, name: 'root' });
  return groups.map((g, i) => rec(i, g));
}

async function harness(records: readonly ItemRecord[], opts: { memoryLimit?: number; batchSize?: number; concurrency?: number } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'deferred-'));
  const api = new FakeApi();
  const counts = emptyCounts();
  const results = await PrivateFile.open(join(dir, 'results.ndjson'), 'w');
  const rejects = await PrivateFile.open(join(dir, 'rejects.ndjson'), 'w');
  const journal = await Journal.create(join(dir, 'checkpoint.ndjson'), {
    t: 'start',
    runId: 'r',
    pipeline: 'p',
    resource: 'usergroups',
    startedAt: new Date().toISOString(),
  });
  const sink = { results, rejects, journal, counts };
  const d = new DeferredPasses({ dir, ...(opts.memoryLimit !== undefined ? { memoryLimit: opts.memoryLimit } : {}) });
  const batch = { size: opts.batchSize ?? 7, maxBytes: 1_000_000, envelopeBytes: 20 };
  const concurrency = opts.concurrency ?? 3;
  let spillSeen: string[] = [];
  // The main stream, as runPipeline wires it.
  await pipeline(Readable.from(records), createBatchStream(batch), createSendStream(d.wrap(api), { concurrency }), createResultSink(sink));
  spillSeen = (await readdir(dir)).filter((f) => f.startsWith(SPILL_FILE_PREFIX));
  const waitingAfterMain = d.waitingCount;
  await runDeferredPasses(d, { sender: d.wrap(api), batch, concurrency, sink });
  await d.dispose();
  await Promise.all([results.close(), rejects.close(), journal.close()]);
  const lines = async (f: string) =>
    (await readFile(join(dir, f), 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    dir,
    api,
    counts,
    d,
    spillSeen,
    waitingAfterMain,
    results: await lines('results.ndjson'),
    rejects: await lines('rejects.ndjson'),
    journal: await readJournal(join(dir, 'checkpoint.ndjson')),
  };
}

describe('DeferredPasses', () => {
  it('loads a tree written deepest-first: one pass per level, every parent right, nothing rejected', async () => {
    const records = tree(4, 5);
    const h = await harness(records);
    expect(h.waitingAfterMain).toBe(24); // all but the root were refused at first
    expect(h.d.passes).toBe(2); // regions in pass 1, branches in pass 2
    expect(h.api.store.size).toBe(25);
    expect(h.api.store.get(1203)?.parent).toEqual({ id: 102 });
    expect(h.rejects).toEqual([]);
    // One result line per record, none of them the refusals that came before.
    expect(h.results).toHaveLength(25);
    expect(h.results.every((r) => r.success === true && r.action === 'create')).toBe(true);
    expect(h.counts).toMatchObject({ answered: 25, created: 25, updated: 0, failed: 0, rejected: { api: 0 } });
    // The journal settles each record once, with the same counts.
    expect(h.journal.done.size).toBe(25);
    expect(h.journal.counts).toMatchObject({ answered: 25, created: 25, failed: 0 });
    // Pass batches continue the run's batch numbers.
    const batches = new Set(h.results.map((r) => r.batch));
    expect(Math.max(...[...batches].map(Number))).toBeGreaterThan(Math.ceil(25 / 7));
  });

  it('rejects an item whose parent never arrives once a pass makes no progress, with the API text, once', async () => {
    const records = [
      rec(0, { id: 20, name: 'orphan', parent: { id: 99 } }),
      rec(1, { id: 21, name: 'child', parent: { id: 10 } }),
      rec(2, { id: 10, name: 'top' }),
    ];
    const h = await harness(records);
    expect([...h.api.store.keys()].sort()).toEqual([10, 21]);
    expect(h.rejects).toEqual([
      {
        file: 'groups.ndjson',
        line: 1,
        stage: 'api',
        reason: 'Parent usergroup with id [99] not found.',
        reasons: ['Parent usergroup with id [99] not found.'],
        record: { id: 20, name: 'orphan', parent: { id: 99 }, row: 0 },
      },
    ]);
    expect(h.results.filter((r) => r.key === '20')).toEqual([
      expect.objectContaining({ success: false, error: 'Parent usergroup with id [99] not found.' }),
    ]);
    expect(h.counts).toMatchObject({ answered: 3, created: 2, failed: 1, rejected: { api: 1 } });
    expect(h.journal.done.size).toBe(3);
    // Main stream, pass 1 (21 got its parent: progress), pass 2 (no progress), then given up.
    expect(h.d.passes).toBe(2);
    expect(h.api.sent.flat().filter((s) => s === 0)).toHaveLength(3);
  });

  it('never sends an earlier version over a later one that was imported', async () => {
    const records = [
      rec(0, { id: 5, name: 'old', parent: { id: 7 } }), // refused: 7 is not there yet
      rec(1, { id: 5, name: 'new' }), // imported: supersedes seq 0
      rec(2, { id: 7, name: 'seven' }),
    ];
    const h = await harness(records, { batchSize: 1, concurrency: 1 });
    expect(h.api.store.get(5)?.name).toBe('new');
    expect(h.api.sent.flat().filter((s) => s === 0)).toHaveLength(1);
    expect(h.rejects).toHaveLength(1);
    expect(h.rejects[0]).toMatchObject({ line: 1, stage: 'api' });
    expect(String(h.rejects[0]!.reason)).toMatch(
      /^Parent usergroup with id \[7\] not found\. \(not sent again: a later version with the same key \(line 2\) was imported\)$/,
    );
    // Settled no later than the version that superseded it, so a resume cannot resend it over "new".
    const order = h.results.map((r) => r.line);
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(2));
    expect(h.counts).toMatchObject({ created: 2, updated: 0, failed: 1, rejected: { api: 1 } });
  });

  it('sends two waiting versions of one key again in their source order', async () => {
    const records = [
      rec(0, { id: 5, name: 'old', parent: { id: 7 } }),
      rec(1, { id: 5, name: 'new', parent: { id: 7 } }),
      rec(2, { id: 7, name: 'seven' }),
    ];
    const h = await harness(records, { batchSize: 10, concurrency: 4 });
    expect(h.api.store.get(5)?.name).toBe('new');
    expect(h.rejects).toEqual([]);
    expect(h.results.filter((r) => r.key === '5').map((r) => [r.line, r.action])).toEqual([
      [1, 'create'],
      [2, 'update'],
    ]);
  });

  it('spills waiting records past the memory limit and still loads the whole tree', async () => {
    const records = tree(3, 10);
    const h = await harness(records, { memoryLimit: 4, batchSize: 5 });
    expect(h.spillSeen).toEqual([`${SPILL_FILE_PREFIX}1.ndjson`]);
    expect(h.api.store.size).toBe(34);
    expect(h.rejects).toEqual([]);
    expect(h.counts.created).toBe(34);
    // Spill files are gone once the run is over.
    expect((await readdir(h.dir)).filter((f) => f.startsWith(SPILL_FILE_PREFIX))).toEqual([]);
  });

  it('runs no pass when the main stream changed nothing: retrying could not succeed', async () => {
    const h = await harness([rec(0, { id: 2, name: 'a', parent: { id: 9 } }), rec(1, { id: 3, name: 'b', parent: { id: 9 } })]);
    expect(h.d.passes).toBe(0);
    expect(h.rejects.map((r) => r.line)).toEqual([1, 2]);
    expect(h.api.sent.flat()).toHaveLength(2);
  });

  it('leaves waiting records unsettled when stopped, so a resume sends them again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'deferred-'));
    const api = new FakeApi();
    const d = new DeferredPasses({ dir });
    const stop = new AbortController();
    const out: Outcome[] = [];
    const records = tree(2, 2);
    const batch: Batch = { kind: 'batch', seq: 1, records, items: ItemBytes.of(records.map((r) => JSON.stringify(r.item))), bytes: 0 };
    out.push(...(await d.wrap(api).sendBatch(batch)));
    expect(out.filter((o) => o.kind === 'result').map((o) => o.prov.seq)).toEqual([6]);
    stop.abort();
    const counts = emptyCounts();
    const results = await PrivateFile.open(join(dir, 'results.ndjson'), 'w');
    const rejects = await PrivateFile.open(join(dir, 'rejects.ndjson'), 'w');
    await runDeferredPasses(d, {
      sender: d.wrap(api),
      batch: { size: 5, maxBytes: 1e6, envelopeBytes: 2 },
      concurrency: 1,
      sink: { results, rejects, counts },
      stop: stop.signal,
    });
    await Promise.all([results.close(), rejects.close(), d.dispose()]);
    expect(api.sent).toHaveLength(1);
    expect(counts.answered).toBe(0);
    expect(d.waitingCount).toBe(6);
  });
});
