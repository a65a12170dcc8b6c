import { appendFile, mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, readJournal } from '../../src/resume/journal.js';
import { emptySettled } from '../../src/outcomes/index.js';

const ENDS = { results: 0, rejects: 0 };
const header = { t: 'start', runId: 'r1', pipeline: 'p', resource: 'users', startedAt: '2026-01-01T00:00:00.000Z' } as const;

describe('Journal', () => {
  it('reads back settled ordinals and summed counts across attempts, file mode 0600', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    const path = join(dir, 'checkpoint.ndjson');
    const j = await Journal.create(path, header);
    await j.settle([0, 1, 2, 5], { ...emptySettled(), answered: 4, created: 4 }, ENDS);
    await j.close();
    const j2 = await Journal.append(path, 2);
    await j2.settle([3, 4], { ...emptySettled(), answered: 1, updated: 1, rejected: { read: 0, map: 1, validate: 0, api: 0 } }, ENDS);
    await j2.close();
    const state = await readJournal(path);
    expect(state.header.runId).toBe('r1');
    expect(state.done.ranges()).toEqual([[0, 5]]);
    expect(state.counts).toMatchObject({ answered: 5, created: 4, updated: 1, rejected: { map: 1 } });
    expect(state.attempts).toBe(2);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('ignores a line torn by a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    const path = join(dir, 'checkpoint.ndjson');
    const j = await Journal.create(path, header);
    await j.settle([0, 1], emptySettled(), ENDS);
    await j.close();
    await appendFile(path, '{"t":"settled","done":[[2,');
    const state = await readJournal(path);
    expect(state.done.ranges()).toEqual([[0, 1]]);
    // A resume starts on a fresh line, so the torn fragment cannot swallow the next entry.
    const j2 = await Journal.append(path, 2);
    await j2.settle([7], emptySettled(), ENDS);
    await j2.close();
    expect((await readJournal(path)).done.ranges()).toEqual([
      [0, 1],
      [7, 7],
    ]);
    expect(await readFile(path, 'utf8')).toContain('"t":"resume"');
  });

  it('refuses a folder without a checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    await expect(readJournal(join(dir, 'checkpoint.ndjson'))).rejects.toMatchObject({ code: 'ETL_NO_CHECKPOINT', exitCode: 2 });
  });
});
