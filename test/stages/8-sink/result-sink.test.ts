/**
 * The sink's order of writes is what makes the checkpoint trustworthy after a crash or a power
 * loss: a record's ordinal may reach the journal only after its result or reject line is on disk.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../../src/core/record.js';
import { createResultSink } from '../../../src/stages/8-sink/result-sink.js';
import { emptyCounts } from '../../../src/outcomes/index.js';
import type { AppendFile } from '../../../src/core/private-file.js';

function recordingFile(name: string, log: string[]): AppendFile {
  return {
    size: 0,
    async write(bytes) {
      const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
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
    await pipeline(
      Readable.from(outcomes),
      createResultSink({ results: recordingFile('results', log), rejects: recordingFile('rejects', log), journal, counts }),
    );
    // Replay the log: a file's lines count as on disk only once a sync follows their write, and
    // every record a journal line names must already have its line on disk in its own file.
    const fileOf = new Map(outcomes.map((o) => [o.prov.seq, o.kind === 'result' ? 'results' : 'rejects']));
    const pending = new Map<string, number>();
    const synced = new Map<string, number>();
    const journaled = new Map<string, number>();
    for (const l of log) {
      const [what, name, n] = l.split(' ');
      if (what === 'write') pending.set(name!, (pending.get(name!) ?? 0) + Number(n));
      if (what === 'sync') {
        synced.set(name!, (synced.get(name!) ?? 0) + (pending.get(name!) ?? 0));
        pending.set(name!, 0);
      }
      if (what === 'journal') {
        for (const seq of name!.split(',')) {
          const file = fileOf.get(Number(seq))!;
          journaled.set(file, (journaled.get(file) ?? 0) + 1);
          expect(journaled.get(file), `${l}: record ${seq}'s ${file} line synced`).toBeLessThanOrEqual(synced.get(file) ?? 0);
        }
      }
    }
    expect(
      log
        .filter((l) => l.startsWith('journal'))
        .flatMap((l) => l.slice(8).split(','))
        .sort(),
    ).toEqual(['0', '1', '2']);
    expect([counts.created, counts.updated, counts.rejected.validate]).toEqual([1, 1, 1]);
  });

  it('syncs nothing without a journal (validate): no order to keep', async () => {
    const log: string[] = [];
    await pipeline(
      Readable.from(outcomes),
      createResultSink({ results: recordingFile('results', log), rejects: recordingFile('rejects', log), counts: emptyCounts() }),
    );
    expect(log.some((l) => l.startsWith('sync'))).toBe(false);
    expect(log.some((l) => l.startsWith('write results'))).toBe(true);
  });
});
