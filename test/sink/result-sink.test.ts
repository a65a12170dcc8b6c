/**
 * The sink's order of writes is what makes the checkpoint trustworthy after a crash or a power
 * loss: a record's ordinal may reach the journal only after its result or reject line is on disk.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/core/record.js';
import { createResultSink } from '../../src/sink/result-sink.js';
import { emptyCounts } from '../../src/sink/run-counts.js';
import type { AppendFile } from '../../src/sink/private-file.js';

function recordingFile(name: string, log: string[]): AppendFile {
  return {
    async write(text) {
      if (text !== '') log.push(`write ${name} ${text.split('\n').length - 1}`);
    },
    async sync() {
      log.push(`sync ${name}`);
    },
  };
}

const prov = (seq: number) => ({ file: 'in.csv', line: seq + 2, seq });
const outcomes: Outcome[] = [
  { kind: 'result', prov: prov(0), key: 'A', action: 'create', id: 1, success: true, batch: 1 },
  { kind: 'reject', prov: prov(1), stage: 'validate', reason: 'missing required field "sourceId"', record: { id: '' } },
  { kind: 'result', prov: prov(2), key: 'C', action: 'update', id: 3, success: true, batch: 1 },
];

describe('result sink', () => {
  it('syncs the result and reject lines before the journal marks their records settled', async () => {
    const log: string[] = [];
    const journal = {
      async settle(seqs: readonly number[]) {
        log.push(`journal ${seqs.join(',')}`);
      },
    };
    const counts = emptyCounts();
    await pipeline(Readable.from(outcomes), createResultSink({ results: recordingFile('results', log), rejects: recordingFile('rejects', log), journal, counts }));
    // In every flush of the sink (the events since the previous journal line), each file written
    // was synced after the write and before the journal line.
    let flushStart = 0;
    log.forEach((l, i) => {
      if (!l.startsWith('journal')) return;
      const flush = log.slice(flushStart, i);
      for (const f of ['results', 'rejects']) {
        const wrote = flush.findIndex((e) => e.startsWith(`write ${f}`));
        if (wrote >= 0) expect(flush.indexOf(`sync ${f}`)).toBeGreaterThan(wrote);
      }
      flushStart = i + 1;
    });
    expect(log.filter((l) => l.startsWith('journal')).flatMap((l) => l.slice(8).split(',')).sort()).toEqual(['0', '1', '2']);
    expect([counts.created, counts.updated, counts.rejected.validate]).toEqual([1, 1, 1]);
  });

  it('syncs nothing without a journal (validate): no order to keep', async () => {
    const log: string[] = [];
    await pipeline(Readable.from(outcomes), createResultSink({ results: recordingFile('results', log), rejects: recordingFile('rejects', log), counts: emptyCounts() }));
    expect(log.some((l) => l.startsWith('sync'))).toBe(false);
    expect(log.some((l) => l.startsWith('write results'))).toBe(true);
  });
});
