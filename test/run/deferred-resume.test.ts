import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulatorPerFile, httpTarget } from '../support/emulator.js';
import { runPipeline, type RunResult } from '../../src/run/run-pipeline.js';
import { SPILL_FILE_PREFIX } from '../../src/stages/7-send/deferred/index.js';
import { readJournal } from '../../src/resume/journal.js';

const PIPELINE = `name: deferred-resume
resource: usergroups
source:
  path: groups.ndjson
mapping:
  id: { from: id, type: integer }
  name: name
  parent:
    id: { from: parent_id, type: integer }
batch: { size: 4 }
send: { concurrency: 1 }
`;

/** 1 root, 3 regions, 9 branches, deepest first: 13 records, 4 requests in the main stream. */
function groups(): string {
  const rows: object[] = [];
  for (let b = 0; b < 9; b++) rows.push({ id: 1000 + b, name: `branch ${b}`, parent_id: 100 + (b % 3) });
  for (let r = 0; r < 3; r++) rows.push({ id: 100 + r, name: `region ${r}`, parent_id: 1 });
  rows.push({ id: 1, name: 'root' });
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

describe('runPipeline with deferred passes: interrupted mid-pass, then --resume', () => {
  const fx = emulatorPerFile(undefined, {}, 'never');
  let dir: string;
  let first: RunResult;
  let second: RunResult;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deferred-resume-'));
    await writeFile(join(dir, 'p.yaml'), PIPELINE);
    await writeFile(join(dir, 'groups.ndjson'), groups());
    const target = httpTarget(fx.emu, 'emu');
    const stop = new AbortController();
    let requests = 0;
    first = await runPipeline({
      pipeline: join(dir, 'p.yaml'),
      target,
      out: join(dir, 'out'),
      cwd: dir,
      env: {},
      stop: stop.signal,
      // The 5th request is pass 1's first: stop there, as a SIGINT would.
      onEvent: (e) => {
        if (e.type === 'send' && e.event.type === 'request' && ++requests === 5) stop.abort();
      },
    });
    second = await runPipeline({ pipeline: join(dir, 'p.yaml'), target, out: join(dir, 'out'), cwd: dir, env: {}, resume: true });
  });

  it('the interrupted attempt left the still-refused records unsettled, not rejected', async () => {
    expect(first.status).toBe('interrupted');
    expect(first.exitCode).toBe(130);
    expect(first.summary.counts.rejected.total).toBe(0);
    expect(first.summary.counts.failed).toBe(0);
    expect(first.summary.counts.created).toBeLessThan(13);
  });

  it('the resumed attempt sends them again: the whole tree, each record settled once, counts not doubled', async () => {
    expect(second.exitCode).toBe(0);
    expect(second.summary.counts).toMatchObject({ created: 13, updated: 0, failed: 0, rejected: { total: 0 }, sent: 13 });
    expect(fx.emu.store.usergroups()).toHaveLength(13);
    expect(fx.emu.store.getUsergroup(1004)?.item.parent).toEqual({ id: 101 });
    const results = (await readFile(join(dir, 'out', 'results.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; success: boolean });
    expect(results).toHaveLength(13);
    expect(new Set(results.map((r) => r.line)).size).toBe(13);
    expect(results.every((r) => r.success)).toBe(true);
    const journal = await readJournal(join(dir, 'out', 'checkpoint.ndjson'));
    expect(journal.done.size).toBe(13);
    expect((await readdir(join(dir, 'out'))).filter((f) => f.startsWith(SPILL_FILE_PREFIX))).toEqual([]);
  });
});
