/**
 * Nightly runs with `delta:` (issue 12), the CLI as a child process against the emulator over
 * loopback; the emulator lives in this process so its request log tells what was sent.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { spawn } from 'node:child_process';
import { CLI, runCli, startCli, targetEnv as env } from '../support/cli.js';
import { emulatorPerFile, storedUsersById as storedUsers } from '../support/emulator.js';
import { readJson, readNdjson } from '../support/files.js';
import { killMidRun, settledRecords, summary, userIds, usersWorkspace, waitFor, type UserRow } from './delivery-helpers.js';

const SECRET = 'delta-Secret-4242';
const fixture = emulatorPerFile(SECRET);

/** Items the emulator received since its log was last cleared, whatever the answer. */
const itemsSent = (): string[] => fixture.emu.log.entries().flatMap((e) => e.keys.map((k) => (JSON.parse(k) as string[])[1]!));

function deltaWorkspace(rows: readonly UserRow[]): Promise<string> {
  return usersWorkspace(rows, { batchSize: 25, concurrency: 2, delta: {} });
}

async function writeRows(dir: string, rows: readonly UserRow[]): Promise<void> {
  await writeFile(join(dir, 'users.ndjson'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

async function stateFiles(dir: string, pipeline = 'delivery'): Promise<string[]> {
  const folder = join(dir, 'state', pipeline);
  return existsSync(folder) ? (await readdir(folder)).filter((f) => f.endsWith('.sqlite')).map((f) => join(folder, f)) : [];
}

function shuffle<T>(xs: T[], seed = 7): T[] {
  let s = seed;
  for (let i = xs.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

describe('delta sync: nightly runs send only what changed', { timeout: 90_000 }, () => {
  it('the same input twice: the second run sends nothing, exits 0 and counts every record unchanged (summary, terminal, json logs)', async () => {
    const rows = userIds(120, 'S').map((no) => ({ no, first: `f-${no}` }));
    const dir = await deltaWorkspace(rows);
    const first = await runCli(['run', 'users.yaml', '--out', 'night1'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(first.code).toBe(0);
    expect(itemsSent()).toHaveLength(120);
    fixture.emu.log.clear();

    const second = await runCli(['run', 'users.yaml', '--out', 'night2', '--log-format', 'json'], {
      cwd: dir,
      env: env(fixture.emu, SECRET),
    });
    expect(second.code).toBe(0);
    expect(fixture.emu.log.total).toBe(0);
    const s = await summary(join(dir, 'night2'));
    expect(s.counts).toMatchObject({ read: 120, sent: 0, created: 0, updated: 0, unchanged: 120, orphans: 0 });
    const end = second.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; counts: Record<string, unknown> })
      .find((l) => l.event === 'run end');
    expect(end?.counts).toMatchObject({ read: 120, unchanged: 120, orphans: 0 });
    const pretty = await runCli(['run', 'users.yaml', '--out', 'night3'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(pretty.stdout).toMatch(/unchanged\s+120 \(not sent/);
    expect(await readFile(join(dir, 'night3', 'report.html'), 'utf8')).toMatch(/<b>120<\/b><span>unchanged<\/span>/);
  });

  it('200 changed, 100 new, 50 gone, rows shuffled: exactly 300 items sent, the store equals the export, 50 orphans', async () => {
    const ids = userIds(1000, 'N');
    const dir = await deltaWorkspace(ids.map((no) => ({ no, first: `v1-${no}` })));
    expect((await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    fixture.emu.log.clear();

    const gone = new Set(ids.slice(0, 50));
    const changed = new Set(ids.slice(50, 250));
    const next = [
      ...ids.filter((id) => !gone.has(id)).map((no) => ({ no, first: changed.has(no) ? `v2-${no}` : `v1-${no}` })),
      ...userIds(100, 'M').map((no) => ({ no, first: `new-${no}` })),
    ];
    await writeRows(dir, shuffle(next));
    const r = await runCli(['run', 'users.yaml', '--out', 'n2'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(r.code).toBe(0);
    const sent = itemsSent();
    expect(sent).toHaveLength(300);
    expect(new Set(sent)).toEqual(new Set([...changed, ...userIds(100, 'M')]));
    const stored = storedUsers(fixture.emu);
    for (const row of next) expect(stored.get(row.no)?.firstName).toBe(row.first);
    const orphans = await readNdjson(join(dir, 'n2', 'orphans.ndjson'));
    expect(orphans).toHaveLength(50);
    expect(new Set(orphans.map((o) => o.key))).toEqual(gone);
    expect(orphans[0]).toMatchObject({
      identity: ['ERP', expect.any(String), 'NL'],
      id: expect.any(Number),
      acknowledgedAt: expect.stringMatching(/^\d{4}-/),
    });
    expect((await stat(join(dir, 'n2', 'orphans.ndjson'))).mode & 0o777).toBe(0o600);
    expect((await summary(join(dir, 'n2'))).counts).toMatchObject({
      read: 1050,
      sent: 300,
      created: 100,
      updated: 200,
      unchanged: 750,
      orphans: 50,
      // The night was compared whole first: new and changed are told apart (issue 23).
      new: 100,
      changed: 200,
    });
    expect(r.stdout).toMatch(/orphans\s+50 \(keys Propel has that this export no longer holds/);
    expect(r.stdout).toMatch(/^ {2}new +100 /m);
    expect(r.stdout).toMatch(/^ {2}changed +200 /m);
    // Orphans stay in the state: the night after, they are orphans still.
    fixture.emu.log.clear();
    expect((await runCli(['run', 'users.yaml', '--out', 'n3'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    expect(fixture.emu.log.total).toBe(0);
    expect(await readNdjson(join(dir, 'n3', 'orphans.ndjson'))).toHaveLength(50);
  });

  it('state takes --var as run does: a pipeline whose source.path is ${EXPORT_DIR}/… can be inspected (issue 26)', async () => {
    const dir = await deltaWorkspace(userIds(20, 'V').map((no) => ({ no, first: `f-${no}` })));
    const text = (await readFile(join(dir, 'users.yaml'), 'utf8')).replace(
      '"path": "users.ndjson"',
      '"path": "${EXPORT_DIR}/users.ndjson"',
    );
    await writeFile(join(dir, 'users.yaml'), text);
    const run = await runCli(['run', 'users.yaml', '--out', 'n1', '--var', 'EXPORT_DIR=.'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(run.code, run.stderr).toBe(0);
    const shown = await runCli(['state', 'users.yaml', '--var', 'EXPORT_DIR=.'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/keys\s+20 acknowledged/);
    // Without it the file cannot be read, as a run without it could not: exit 2 naming the variable.
    const refused = await runCli(['state', 'users.yaml'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/EXPORT_DIR/);
  });

  it('items the server refuses in run N are sent again in run N+1 with no change to the input, and nothing else; state --failing lists them', async () => {
    const ids = userIds(100, 'R');
    const dir = await deltaWorkspace(ids.map((no) => ({ no, first: `f-${no}` })));
    const refused = ['R0007', 'R0042', 'R0093'];
    fixture.emu.setFaults({ refuseItems: refused });
    const n1 = await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(n1.code).toBe(1);
    const failing = await runCli(['state', 'users.yaml', '--failing'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(failing.code).toBe(0);
    expect(failing.stdout).toMatch(/3 acknowledged|97 acknowledged, 3 refused/);
    for (const id of refused) expect(failing.stdout).toMatch(new RegExp(`1 run\\s+${id}\\s+\\S`));

    // Night 2: still refused; the streak grows, worst first.
    fixture.emu.log.clear();
    fixture.emu.setFaults({ refuseItems: ['R0042'] });
    expect((await runCli(['run', 'users.yaml', '--out', 'n2'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(1);
    // The deferred passes send a refused item again within the run; no other item is sent.
    expect(new Set(itemsSent())).toEqual(new Set(refused));
    const worst = (await runCli(['state', 'users.yaml', '--failing'], { cwd: dir, env: env(fixture.emu, SECRET) })).stdout
      .split('\n')
      .filter((l) => /runs?\s+R/.test(l));
    expect(worst).toHaveLength(1);
    expect(worst[0]).toMatch(/2 runs\s+R0042/);

    fixture.emu.log.clear();
    fixture.emu.setFaults({});
    expect((await runCli(['run', 'users.yaml', '--out', 'n3'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    expect(itemsSent()).toEqual(['R0042']);
    expect(storedUsers(fixture.emu).size).toBe(100);
  });

  it('--full sends all; another target (a second emulator) gets a full send; a mapping change resends what it changes', async () => {
    const ids = userIds(60, 'F');
    const rows = ids.map((no, i) => ({ no, first: i % 2 === 0 ? `lower-${no}` : `UPPER-${no}` }));
    const dir = await deltaWorkspace(rows);
    expect((await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    fixture.emu.log.clear();

    const full = await runCli(['run', 'users.yaml', '--out', 'full', '--full'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(full.code).toBe(0);
    expect(itemsSent()).toHaveLength(60);
    expect((await summary(join(dir, 'full'))).counts).toMatchObject({ unchanged: 0, updated: 60 });

    const other = await startEmulator({ clients: [{ id: 'propel-etl-local', secret: SECRET }] });
    try {
      const r = await runCli(['run', 'users.yaml', '--out', 'other'], { cwd: dir, env: env(other, SECRET) });
      expect(r.code).toBe(0);
      expect(other.store.users()).toHaveLength(60);
      expect((await summary(join(dir, 'other'))).counts).toMatchObject({ created: 60, unchanged: 0 });
      // One state per target: the first emulator's state was not used, nor changed.
      expect(await stateFiles(dir)).toHaveLength(2);
    } finally {
      await other.close();
    }

    fixture.emu.log.clear();
    const yaml = await readFile(join(dir, 'users.yaml'), 'utf8');
    const spec = JSON.parse(yaml) as { mapping: Record<string, unknown> };
    spec.mapping.firstName = { from: 'first', transform: ['upper'] };
    await writeFile(join(dir, 'users.yaml'), JSON.stringify(spec));
    expect((await runCli(['run', 'users.yaml', '--out', 'mapped'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    expect(itemsSent().sort()).toEqual(ids.filter((_, i) => i % 2 === 0));
  });

  it('kill -9 mid-run, then a plain new run: the store is complete and nothing acknowledged before the kill is sent again', async () => {
    const ids = userIds(200, 'K');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no, first: `v-${no}` })),
      { batchSize: 10, concurrency: 1, delta: {} },
    );
    // Every answered batch is settled at the kill (the state is written just before the checkpoint, so it has them too).
    await killMidRun(fixture.emu, ['run', 'users.yaml', '--out', 'killed'], dir, join(dir, 'killed'), SECRET);
    const acknowledgedBefore = ids.filter((id) => fixture.emu.log.timesAcknowledged(JSON.stringify(['ERP', id, 'NL'])) > 0);
    expect(acknowledgedBefore.length).toBeGreaterThanOrEqual(30);
    expect(acknowledgedBefore.length).toBeLessThan(200);

    const second = await runCli(['run', 'users.yaml', '--out', 'next'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(second.code).toBe(0);
    // The killed run's lock names a process that is gone: taken over, with a warning.
    expect(second.stderr).toMatch(/warning: took over the delta state's lock left by a run that is gone \(pid \d+/);
    expect(fixture.emu.log.duplicates()).toEqual([]);
    const stored = storedUsers(fixture.emu);
    expect(stored.size).toBe(200);
    expect(ids.every((id) => stored.get(id)?.firstName === `v-${id}`)).toBe(true);
    expect((await summary(join(dir, 'next'))).counts).toMatchObject({
      read: 200,
      unchanged: acknowledgedBefore.length,
      sent: 200 - acknowledgedBefore.length,
    });
  });

  it('a night compared first, killed -9 while it sends, then a plain new run: every change stored once, nothing acknowledged sent again (issue 23)', async () => {
    const ids = userIds(200, 'S');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no, first: 'a' })),
      { batchSize: 10, concurrency: 1, delta: {} },
    );
    expect((await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    fixture.emu.log.clear();
    await writeRows(
      dir,
      ids.map((no, i) => ({ no, first: i < 150 ? 'b' : 'a' })),
    );
    await killMidRun(fixture.emu, ['run', 'users.yaml', '--out', 'killed'], dir, join(dir, 'killed'), SECRET);
    const acknowledgedBefore = ids.filter((id) => fixture.emu.log.timesAcknowledged(JSON.stringify(['ERP', id, 'NL'])) > 0).length;
    expect(acknowledgedBefore).toBeGreaterThanOrEqual(30);
    expect(acknowledgedBefore).toBeLessThan(150);
    const next = await runCli(['run', 'users.yaml', '--out', 'next'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(next.code).toBe(0);
    expect(fixture.emu.log.duplicates()).toEqual([]);
    const stored = storedUsers(fixture.emu);
    expect(ids.every((id, i) => stored.get(id)?.firstName === (i < 150 ? 'b' : 'a'))).toBe(true);
    expect((await summary(join(dir, 'next'))).counts).toMatchObject({ changed: 150 - acknowledgedBefore, sent: 150 - acknowledgedBefore });
  });

  it('a night compared first, killed -9 while it compares (nothing sent yet), then --resume: every change sent once (issue 23)', async () => {
    const ids = userIds(2000, 'C');
    const dir = await usersWorkspace([], { batchSize: 100, concurrency: 2, delta: {} });
    // From stdin: the night is cut off while its input is still coming, so the kill lands in the comparison.
    const pipelineFile = join(dir, 'users.yaml');
    const spec = JSON.parse(await readFile(pipelineFile, 'utf8')) as { source: Record<string, unknown> };
    spec.source = { path: '-', format: 'ndjson' };
    await writeFile(pipelineFile, JSON.stringify(spec));
    const lines = (rows: readonly UserRow[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    // Rows of ~150 bytes: half the night is past the 64 KiB the reader holds to check the encoding.
    const last = 'x'.repeat(100);
    const night1 = lines(ids.map((no) => ({ no, first: 'a', last })));
    expect((await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET), input: night1 })).code).toBe(0);
    fixture.emu.log.clear();
    // Five rows without an id first: their rejects reach the checkpoint while the rest is still to come.
    const night2 = lines([
      ...Array.from({ length: 5 }, () => ({ no: '' })),
      ...ids.map((no, i) => ({ no, first: i % 10 === 0 ? 'b' : 'a', last })),
    ]);
    const half = night2.indexOf('\n', night2.length / 2) + 1;
    const child = spawn(process.execPath, [CLI, 'run', 'users.yaml', '--out', 'killed'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...env(fixture.emu, SECRET) },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.stdin.on('error', () => undefined);
    child.stdin.write(night2.slice(0, half));
    await waitFor(async () => (await settledRecords(join(dir, 'killed'))) >= 5, 'the first rejects in the checkpoint');
    child.kill('SIGKILL');
    await exited;
    expect(fixture.emu.log.total).toBe(0);
    const resumed = await runCli(['run', 'users.yaml', '--out', 'killed', '--resume'], {
      cwd: dir,
      env: env(fixture.emu, SECRET),
      input: night2,
    });
    expect(resumed.code).toBe(1);
    expect(itemsSent()).toHaveLength(200);
    expect(fixture.emu.log.duplicates()).toEqual([]);
    expect((await summary(join(dir, 'killed'))).counts).toMatchObject({ changed: 200, unchanged: 1800 });
  });

  it('two runs at once on one pipeline and target: the second exits 2 naming the first (pid, start time), nothing sent by it', async () => {
    // Slow enough (40 requests of 300 ms, two at a time) that the first is still running when the second starts.
    const dir = await deltaWorkspace(userIds(1000, 'L').map((no) => ({ no })));
    fixture.emu.setFaults({ latencyMs: 300 });
    const first = startCli(['run', 'users.yaml', '--out', 'a'], { cwd: dir, env: env(fixture.emu, SECRET) });
    await waitFor(async () => (await settledRecords(join(dir, 'a'))) >= 25, 'the first run under way');
    const before = fixture.emu.log.total;
    const second = await runCli(['run', 'users.yaml', '--out', 'b'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(
      new RegExp(`another run holds this pipeline's delta state for this target: pid ${first.child.pid}, started \\d{4}-`),
    );
    fixture.emu.setFaults({});
    expect((await first.done).code).toBe(0);
    // Only the first run's batches: 1,000 items in 40 requests.
    expect(fixture.emu.log.total - before).toBeLessThanOrEqual(40);
    expect(itemsSent()).toHaveLength(1000);
    expect(await readdir(join(dir, 'state', 'delivery'))).not.toContainEqual(expect.stringMatching(/\.lock$/));
  });

  it('a state file that is damaged or from a newer version: exit 2 with one line, nothing sent', async () => {
    const dir = await deltaWorkspace(userIds(20, 'C').map((no) => ({ no })));
    expect((await runCli(['run', 'users.yaml', '--out', 'ok'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    const [file] = await stateFiles(dir);
    fixture.emu.log.clear();

    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    const newer = await runCli(['run', 'users.yaml', '--out', 'newer'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(newer.code).toBe(2);
    expect(newer.stderr.trim().split('\n')).toHaveLength(1);
    expect(newer.stderr).toMatch(
      /^propel-etl: .*\.sqlite: the delta state was written by a newer propel-etl \(state format 99, this one reads 2\)/,
    );

    await writeFile(file!, Buffer.alloc(8192, 0x5a));
    const damaged = await runCli(['run', 'users.yaml', '--out', 'damaged'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(damaged.code).toBe(2);
    expect(damaged.stderr.trim().split('\n')).toHaveLength(1);
    expect(damaged.stderr).toMatch(/the delta state is damaged or not a propel-etl state/);
    expect(fixture.emu.log.total).toBe(0);
    expect(fixture.emu.tokensIssued()).toBeGreaterThan(0); // from the first run only: the point is no bulk request
  });

  it('a row still in the export but rejected is no orphan; only keys absent from the input are (issue 23)', async () => {
    const ids = userIds(30, 'R');
    const dir = await deltaWorkspace(ids.map((no) => ({ no, first: 'a' })));
    expect((await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    // Night 2: R0001-R0003 are refused by the validator (a first name that is no text), R0004 by the
    // mapper (a nested value where text goes), R0029 and R0030 are gone.
    const rows = ids.slice(0, 28).map((no, i) => (i < 3 ? { no, first: 12 } : i === 3 ? { no, first: { a: 1 } } : { no, first: 'a' }));
    await writeFile(join(dir, 'users.ndjson'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = await runCli(['run', 'users.yaml', '--out', 'n2'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(r.code).toBe(1);
    const s = await summary(join(dir, 'n2'));
    expect(s.counts.rejected).toMatchObject({ total: 4 });
    const orphans = await readNdjson(join(dir, 'n2', 'orphans.ndjson'));
    expect(orphans.map((o) => o.key).sort()).toEqual(['R0029', 'R0030']);
  });

  it('one part file of four missing: a warning naming it in the log, summary and report; the run goes on (issue 23)', async () => {
    const ids = userIds(40, 'M');
    const dir = await deltaWorkspace([]);
    const pipeline = join(dir, 'users.yaml');
    await writeFile(pipeline, (await readFile(pipeline, 'utf8')).replace('"users.ndjson"', '"parts/part-*.ndjson"'));
    await mkdir(join(dir, 'parts'));
    const writeParts = async (parts: readonly number[]): Promise<void> => {
      for (const p of parts) {
        const rows = ids.slice(p * 10, p * 10 + 10).map((no) => JSON.stringify({ no, first: 'a' }));
        await writeFile(join(dir, 'parts', `part-000${p}.ndjson`), rows.join('\n') + '\n');
      }
    };
    await writeParts([0, 1, 2, 3]);
    const n1 = await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect([n1.code, n1.stderr]).toEqual([0, expect.not.stringMatching(/warning/)]);
    await rm(join(dir, 'parts', 'part-0002.ndjson'));
    const n2 = await runCli(['run', 'users.yaml', '--out', 'n2', '--log-format', 'json'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(n2.code).toBe(0);
    const said =
      "this export has 3 inputs, the last completed run read 4; missing: part-0002.ndjson (a partial export? the missing part's keys count as orphans)";
    expect(n2.stderr).toContain(JSON.stringify(said));
    const s = (await readJson(join(dir, 'n2', 'summary.json'))) as { warnings: string[]; counts: { orphans: number } };
    expect(s.warnings).toContain(said);
    expect(s.counts.orphans).toBe(10);
    expect(await readFile(join(dir, 'n2', 'report.html'), 'utf8')).toContain('missing: part-0002.ndjson');
  });

  it('thresholds: a night past delta.maxChanged or delta.maxOrphans sends nothing (exit 3, the counts and a few keys); --accept-delta sends it (issue 23)', async () => {
    const ids = userIds(100, 'T');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no, first: 'a' })),
      { batchSize: 25, concurrency: 2, delta: { maxChanged: 5, maxOrphans: '2%' } },
    );
    expect((await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    fixture.emu.log.clear();
    // 20 changed: past 5.
    await writeRows(
      dir,
      ids.map((no, i) => ({ no, first: i < 20 ? 'b' : 'a' })),
    );
    const past = await runCli(['run', 'users.yaml', '--out', 'n2'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(past.code).toBe(3);
    expect(past.stderr).toMatch(
      /this night would send 20 new or changed items \(0 new, 20 changed; delta\.maxChanged 5; e\.g\. T0001, T0002, T0003\); nothing was sent: check the export, or run again with --accept-delta/,
    );
    expect(fixture.emu.log.total).toBe(0);
    const s2 = await summary(join(dir, 'n2'));
    expect([s2.status, s2.error?.code]).toEqual(['aborted', 'ETL_DELTA_THRESHOLD']);
    expect(s2.counts).toMatchObject({ read: 100, unchanged: 80, changed: 20, sent: 0 });
    expect(existsSync(join(dir, 'n2', 'orphans.ndjson'))).toBe(false);

    const accepted = await runCli(['run', 'users.yaml', '--out', 'n3', '--accept-delta'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(accepted.code).toBe(0);
    expect(itemsSent()).toHaveLength(20);

    // 3 of 100 gone: past 2% of the state's keys.
    fixture.emu.log.clear();
    await writeRows(
      dir,
      ids.slice(3).map((no, i) => ({ no, first: i < 17 ? 'b' : 'a' })),
    );
    const orphaned = await runCli(['run', 'users.yaml', '--out', 'n4'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(orphaned.code).toBe(3);
    expect(orphaned.stderr).toMatch(
      /this night would leave 3 orphans \(delta\.maxOrphans 2 \(2% of 100 keys\); e\.g\. T0001, T0002, T0003\)/,
    );
    expect(fixture.emu.log.total).toBe(0);
  });

  it('plan: the diff without sending, its counts and keys, the verdict; exit 3 past a threshold, 0 within; state and store untouched (issue 23)', async () => {
    const ids = userIds(100, 'P');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no, first: 'a' })),
      { batchSize: 25, concurrency: 2, delta: { maxChanged: 30, maxOrphans: '2%' } },
    );
    expect((await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    const [file] = await stateFiles(dir);
    const before = await readFile(file!);
    fixture.emu.log.clear();
    // 20 changed, P0098-P0100 gone, two new, one rejected (P0001: a first name that is no text).
    const rows: UserRow[] = [
      ...ids.slice(0, 97).map((no, i) => (i === 0 ? ({ no, first: 7 } as unknown as UserRow) : { no, first: i <= 20 ? 'b' : 'a' })),
      { no: 'Q0001', first: 'n' },
      { no: 'Q0002', first: 'n' },
    ];
    await writeRows(dir, rows);
    const p = await runCli(['plan', 'users.yaml', '--json'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect([p.code, p.stderr]).toEqual([3, '']);
    const said = JSON.parse(p.stdout) as {
      counts: Record<string, number>;
      keys: Record<string, string[]>;
      pastThresholds: string | null;
    };
    expect(said.counts).toEqual({ new: 2, changed: 20, unchanged: 76, rejected: 1, orphans: 3 });
    expect(said.keys).toEqual({ new: ['Q0001', 'Q0002'], changed: ids.slice(1, 11), orphans: ['P0098', 'P0099', 'P0100'] });
    expect(said.pastThresholds).toMatch(/^this night would leave 3 orphans \(delta\.maxOrphans 2 \(2% of 100 keys\)/);
    expect(fixture.emu.log.total).toBe(0);
    expect((await readFile(file!)).equals(before)).toBe(true);
    expect(existsSync(join(dir, 'runs'))).toBe(false);

    // In words, and within the thresholds once the gone rows are back: exit 0.
    await writeRows(dir, [...rows, ...ids.slice(97).map((no) => ({ no, first: 'a' }))]);
    const ok = await runCli(['plan', 'users.yaml'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout).toMatch(/^delivery: plan \(nothing sent\)$/m);
    expect(ok.stdout).toMatch(/^ {2}changed +20 {2}e\.g\. P0002, P0003/m);
    expect(ok.stdout).toMatch(/^ {2}orphans +0$/m);
    expect(ok.stdout).toMatch(/thresholds none passed/);
  });

  it('--dry-run compares but leaves the state untouched; validate does not need a state', async () => {
    const ids = userIds(50, 'D');
    const dir = await deltaWorkspace(ids.map((no) => ({ no, first: 'a' })));
    const v = await runCli(['validate', 'users.yaml', '--out', 'v'], { cwd: dir, env: {} });
    expect(v.code).toBe(0);
    expect(existsSync(join(dir, 'state'))).toBe(false);
    // A dry run needs no credentials; without them it cannot pick the target's state, and says so.
    const blind = await runCli(['run', 'users.yaml', '--out', 'blind', '--dry-run'], { cwd: dir, env: {} });
    expect(blind.code).toBe(0);
    expect(blind.stderr).toMatch(
      /warning: dry run: nothing compared with a delta state \(every item is batched\), the target is not known: .*PROPEL_CLIENT_ID/,
    );
    // No state yet: a dry run would send everything, and creates none.
    const dry0 = await runCli(['run', 'users.yaml', '--out', 'dry0', '--dry-run'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(dry0.code).toBe(0);
    expect(existsSync(join(dir, 'state'))).toBe(false);

    expect((await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    await writeRows(
      dir,
      ids.map((no, i) => ({ no, first: i < 5 ? 'b' : 'a' })),
    );
    const [file] = await stateFiles(dir);
    const before = await readFile(file!);
    fixture.emu.log.clear();
    const dry = await runCli(['run', 'users.yaml', '--out', 'dry', '--dry-run'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(dry.code).toBe(0);
    expect(fixture.emu.log.total).toBe(0);
    expect((await readFile(file!)).equals(before)).toBe(true);
    const batches = await readdir(join(dir, 'dry', 'batches'));
    const sentInBatches = (
      await Promise.all(
        batches.map(async (b) => (JSON.parse(await readFile(join(dir, 'dry', 'batches', b), 'utf8')) as { users: unknown[] }).users.length),
      )
    ).reduce((a, b) => a + b, 0);
    expect(sentInBatches).toBe(5);
    expect((await summary(join(dir, 'dry'))).counts).toMatchObject({ unchanged: 45 });
    // The terminal summary counts what was batched, not what was read (issue 23).
    expect(dry.stdout).toMatch(/^ {2}batched +5 in 1 batches \(not sent\)$/m);
    // The real run after it still sees the 5 as changed.
    expect((await runCli(['run', 'users.yaml', '--out', 'n2'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    expect(itemsSent()).toHaveLength(5);
  });

  it('propel-etl state: size, target and last run; one key; --forget asks for --yes off a terminal, then the next run sends everything', async () => {
    const dir = await deltaWorkspace(userIds(10, 'Q').map((no) => ({ no, first: 'q' })));
    const none = await runCli(['state', 'users.yaml'], { cwd: dir });
    expect(none).toMatchObject({ code: 0 });
    expect(none.stdout).toMatch(/no delta state for pipeline delivery/);
    expect((await runCli(['run', 'users.yaml', '--out', 'n1'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    const shown = await runCli(['state', 'delivery', '--target', 'propel'], { cwd: dir });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`target     propel (${fixture.emu.baseUrl}, client propel-etl-local)`);
    expect(shown.stdout).toMatch(/keys\s+10 acknowledged, 0 refused/);
    expect(shown.stdout).toMatch(/runs\s+1; last \S+ started \d{4}-.*, completed/);
    const key = await runCli(['state', 'users.yaml', '--key', 'Q0003'], { cwd: dir });
    expect(key.stdout).toMatch(
      /key Q0003 \(\["ERP","Q0003","NL"\]\)\n\s+hash\s+\S{22}\n\s+Propel id\s+\d+\n\s+acknowledged\s+\d{4}-\S+ by run \S+/,
    );
    expect((await runCli(['state', 'users.yaml', '--target', 'nope'], { cwd: dir })).stdout).toMatch(
      /no delta state for pipeline delivery and target nope/,
    );

    const refused = await runCli(['state', 'users.yaml', '--forget'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/add --yes to confirm/);
    expect(await stateFiles(dir)).toHaveLength(1);
    const forgot = await runCli(['state', 'users.yaml', '--forget', '--yes'], { cwd: dir });
    expect(forgot.code).toBe(0);
    expect(await stateFiles(dir)).toHaveLength(0);
    fixture.emu.log.clear();
    expect((await runCli(['run', 'users.yaml', '--out', 'n2'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    expect(itemsSent()).toHaveLength(10);
  });

  it('a job: each step has its own state, and a second job run sends nothing', async () => {
    const dir = await deltaWorkspace(userIds(30, 'J').map((no) => ({ no })));
    const yaml = await readFile(join(dir, 'users.yaml'), 'utf8');
    await writeFile(
      join(dir, 'more.ndjson'),
      userIds(20, 'P')
        .map((no) => JSON.stringify({ no }))
        .join('\n') + '\n',
    );
    await writeFile(
      join(dir, 'more.yaml'),
      JSON.stringify({ ...(JSON.parse(yaml) as object), name: 'more', source: { path: 'more.ndjson' } }),
    );
    await writeFile(join(dir, 'job.yaml'), 'name: nightly\nsteps: [users.yaml, more.yaml]\n');
    expect((await runCli(['run', 'job.yaml', '--out', 'j1'], { cwd: dir, env: env(fixture.emu, SECRET) })).code).toBe(0);
    expect(await stateFiles(dir, 'delivery')).toHaveLength(1);
    expect(await stateFiles(dir, 'more')).toHaveLength(1);
    fixture.emu.log.clear();
    const again = await runCli(['run', 'job.yaml', '--out', 'j2', '--state', 'state'], { cwd: dir, env: env(fixture.emu, SECRET) });
    expect(again.code).toBe(0);
    expect(fixture.emu.log.total).toBe(0);
    const job = JSON.parse(await readFile(join(dir, 'j2', 'job-summary.json'), 'utf8')) as { steps: { counts: { unchanged: number } }[] };
    expect(job.steps.map((s) => s.counts.unchanged)).toEqual([30, 20]);
  });
});
