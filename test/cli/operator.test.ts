/**
 * The operator's view of a run, through the built CLI: the end-of-run summary and the rehearsals
 * (--dry-run, validate). Progress and logs: progress-logs.test.ts.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { operatorFixture } from './operator-fixture.js';

const SECRET = 'op-Secret-8123';

describe('propel-etl run: what the operator sees (issue 7)', () => {
  const fx = operatorFixture(SECRET, 'operator-');

  it('--dry-run sends nothing and writes each batch as the exact request body', async () => {
    const before = fx.emu.log.total;
    const r = await runCli(['run', 'demo-users.yaml', '--dry-run', '--out', 'dry'], { cwd: fx.dir, env: fx.env });
    expect(r.code).toBe(1);
    expect(fx.emu.log.total).toBe(before);
    expect(fx.emu.store.users()).toHaveLength(0);
    expect(r.stdout).toMatch(/demo-users \(users, dry-run\): completed/);
    expect(r.stdout).toMatch(/batched\s+997 in 10 batches \(not sent\)/);
    const files = (await readdir(join(fx.dir, 'dry', 'batches'))).sort();
    expect(files[0]).toBe('000001.json');
    expect(files).toHaveLength(10);
    const items: Record<string, unknown>[] = [];
    for (const f of files) {
      const body = JSON.parse(await readFile(join(fx.dir, 'dry', 'batches', f), 'utf8')) as { users: Record<string, unknown>[] };
      expect(Object.keys(body)).toEqual(['users']);
      items.push(...body.users);
    }
    expect(items).toHaveLength(997);

    // The same pipeline for real: what Propel stored is exactly what the batch files hold (less
    // the one user whose parent group does not exist, which the API refuses).
    const run = await runCli(['run', 'demo-users.yaml', '--out', 'real'], { cwd: fx.dir, env: fx.env });
    expect(run.code).toBe(1);
    const stored = fx.emu.store.users().map((u) => u.item);
    const bySourceId = (a: Record<string, unknown>, b: Record<string, unknown>): number =>
      String(a.sourceId).localeCompare(String(b.sourceId));
    expect(stored.sort(bySourceId)).toEqual(items.filter((i) => (i.parent as { id: number }).id !== 999).sort(bySourceId));
  }, 30_000);

  it('validate gives the same rejects and counts as a run, without sending', async () => {
    const before = fx.emu.log.total;
    const v = await runCli(['validate', 'demo-users.yaml', '--out', 'val'], { cwd: fx.dir, env: fx.env });
    expect(v.code).toBe(1);
    expect(fx.emu.log.total).toBe(before);
    expect(v.stdout).toMatch(/demo-users \(users, validate\): completed/);
    expect(v.stdout).toMatch(/rejected\s+3 \(read 0, map 1, validate 2, api 0\)/);
    const strip = (t: string): string[] =>
      t
        .split('\n')
        .filter((l) => l !== '' && !l.includes('"stage":"api"'))
        .sort();
    const realRejects = strip(await readFile(join(fx.dir, 'real', 'rejects.ndjson'), 'utf8'));
    expect(strip(await readFile(join(fx.dir, 'val', 'rejects.ndjson'), 'utf8'))).toEqual(realRejects);
    const summary = JSON.parse(await readFile(join(fx.dir, 'val', 'summary.json'), 'utf8')) as { counts: Record<string, unknown> };
    const real = JSON.parse(await readFile(join(fx.dir, 'real', 'summary.json'), 'utf8')) as {
      counts: { read: number; mapped: number; rejected: Record<string, number> };
    };
    expect(summary.counts).toMatchObject({
      read: real.counts.read,
      mapped: real.counts.mapped,
      rejected: { read: real.counts.rejected.read, map: real.counts.rejected.map, validate: real.counts.rejected.validate },
    });
  }, 30_000);

  it('ends with the top reject reasons, one example each, the rate and where the run folder is', async () => {
    const r = await runCli(['run', 'demo-users.yaml', '--out', 'summary'], { cwd: fx.dir, env: fx.env });
    expect(r.stdout).toMatch(/demo-users \(users -> propel\): completed in [\d.]+ s, [\d,]+ records\/s/);
    expect(r.stdout).toMatch(
      / {4}1 {2}map {6}dateOfBirth: "…" is not a real date \(DD-MM-YYYY\)\n {7} {9}e\.g\. users\.csv:138: dateOfBirth: "31-02-1980" is not a real date/,
    );
    expect(r.stdout).toMatch(/validate missing required field "sourceId"\n.*e\.g\. users\.csv:614/);
    expect(r.stdout).toMatch(/api {6}Parent usergroup with id \[n\] not found\.\n.*e\.g\. users\.csv:878/);
    expect(r.stdout).toMatch(/run folder summary\n {2}report {5}summary\/report\.html/);
  }, 30_000);
});
