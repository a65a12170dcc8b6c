import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, targetEnv, type CliRun } from '../support/cli.js';
import { emulatorPerFile } from '../support/emulator.js';
import { readNdjson, tempDir } from '../support/files.js';

const FIXTURES = new URL('../fixtures/e2e-tree/', import.meta.url);
const SECRET = 'tree-Secret-0815';

interface Group {
  id: number;
  code: string;
  name: string;
  company?: string;
  department?: string;
  parent_id?: number;
}

const regionId = (r: number): number => 100 + r;
const branchId = (b: number): number => 1000 + b;
const branchCode = (b: number): string => `B-${String(b).padStart(3, '0')}`;

/** 1 root, 10 regions, 200 branches (20 per region). */
function tree(): { root: Group; regions: Group[]; branches: Group[] } {
  const root: Group = { id: 1, code: 'ROOT', name: 'Holding' };
  const regions = Array.from(
    { length: 10 },
    (_, r): Group => ({ id: regionId(r), code: `R-${r}`, name: `Region ${r}`, company: `Region ${r} B.V.`, parent_id: 1 }),
  );
  const branches = Array.from(
    { length: 200 },
    (_, b): Group => ({ id: branchId(b), code: branchCode(b), name: `Branch ${b}`, department: 'Sales', parent_id: regionId(b % 10) }),
  );
  return { root, regions, branches };
}

/** Deepest first: every child comes before its parent. */
function ndjson(groups: readonly Group[]): string {
  return groups.map((g) => JSON.stringify(g)).join('\n') + '\n';
}

describe('usergroups tree + users under it, any order (issue 4)', () => {
  const fx = emulatorPerFile(SECRET, {}, 'never');
  let dir: string;
  let run: CliRun;
  const t = tree();

  beforeAll(async () => {
    dir = await tempDir('e2e-tree-');
    for (const f of ['tree.yaml', 'tree-usergroups.yaml', 'tree-users.yaml', 'orphan-users.yaml'])
      await cp(new URL(f, FIXTURES), join(dir, f));
    await writeFile(join(dir, 'groups.ndjson'), ndjson([...t.branches, ...t.regions, t.root]));
    const users = Array.from({ length: 2000 }, (_, i) => ({
      no: `U${i}`,
      first: `First${i}`,
      last: `Last${i}`,
      branch: branchCode(i % 200),
      street: `Street ${i}`,
      city: 'Utrecht',
    }));
    await writeFile(join(dir, 'users.json'), JSON.stringify({ exported: 'today', users }));
    run = await runCli(['run', 'tree.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fx.emu, SECRET) });
  }, 60_000);

  it('creates the whole tree and every user, rejects nothing, exit 0', async () => {
    expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(run.code).toBe(0);
    const job = JSON.parse(await readFile(join(dir, 'out', 'job-summary.json'), 'utf8')) as {
      exitCode: number;
      steps: { status: string; exitCode: number }[];
    };
    expect(job.exitCode).toBe(0);
    expect(job.steps.map((s) => [s.status, s.exitCode])).toEqual([
      ['completed', 0],
      ['completed', 0],
    ]);
    for (const step of ['01-tree-usergroups', '02-tree-users']) {
      expect(await readFile(join(dir, 'out', step, 'rejects.ndjson'), 'utf8')).toBe('');
    }
    const ug = JSON.parse(await readFile(join(dir, 'out', '01-tree-usergroups', 'summary.json'), 'utf8')) as {
      counts: Record<string, unknown>;
    };
    expect(ug.counts).toMatchObject({ read: 211, sent: 211, created: 211, updated: 0, failed: 0, rejected: { total: 0 } });
    const us = JSON.parse(await readFile(join(dir, 'out', '02-tree-users', 'summary.json'), 'utf8')) as { counts: Record<string, unknown> };
    expect(us.counts).toMatchObject({ read: 2000, sent: 2000, created: 2000, failed: 0, rejected: { total: 0 } });
  });

  it('puts every usergroup and user under the right parent', () => {
    const groups = new Map(fx.emu.store.usergroups().map((g) => [g.id, g.item]));
    expect(groups.size).toBe(211);
    expect(groups.get(1)!.parent).toBeUndefined();
    for (const r of t.regions) expect(groups.get(r.id)!.parent).toEqual({ id: 1 });
    for (const b of t.branches) expect(groups.get(b.id)!.parent).toEqual({ id: b.parent_id });
    const users = fx.emu.store.users();
    expect(users).toHaveLength(2000);
    for (const u of users) {
      const i = Number(String(u.item.sourceId).slice(1));
      expect(u.item.parent).toEqual({ source: 'TREE', sourceId: branchCode(i % 200) });
    }
    expect(fx.emu.store.usergroupIdBySource('TREE', branchCode(7))).toBe(branchId(7));
  });

  it('writes one result line per record: the refusals before a later pass leave no trace', async () => {
    const results = await readNdjson(join(dir, 'out', '01-tree-usergroups', 'results.ndjson'));
    expect(results).toHaveLength(211);
    expect(new Set(results.map((r) => r.line)).size).toBe(211);
    expect(results.every((r) => r.success === true && r.action === 'create')).toBe(true);
  });

  it('sent the directives in array form with every usergroups request, none with users', () => {
    const entries = fx.emu.log.entries();
    const ug = entries.filter((e) => e.path.includes('/usergroups/'));
    const users = entries.filter((e) => e.path.includes('/users/'));
    // Deepest-first: the main stream, then one pass per level below the root.
    expect(ug.length).toBeGreaterThanOrEqual(Math.ceil(211 / 50) + 2);
    for (const e of ug)
      expect(e.directives).toEqual([
        { operation: 'skipIfNotEmpty', fields: ['name', 'company'] },
        { operation: 'skipMoveOnUpdate', fields: [] },
      ]);
    expect(users.length).toBe(10);
    for (const e of users) expect(e.directives).toEqual([]);
  });

  it('rejects a user whose parent is in no file at stage api with the API text, exit 1', async () => {
    await writeFile(
      join(dir, 'orphans.json'),
      JSON.stringify({
        users: [
          { no: 'O1', last: 'Fine', branch: branchCode(3) },
          { no: 'O2', last: 'Lost', branch: 'B-NOPE' },
        ],
      }),
    );
    const orphan = await runCli(['run', 'orphan-users.yaml', '--out', 'out-orphans'], { cwd: dir, env: targetEnv(fx.emu, SECRET) });
    expect(orphan.code).toBe(1);
    const rejects = await readNdjson(join(dir, 'out-orphans', 'rejects.ndjson'));
    expect(rejects).toEqual([
      {
        file: 'orphans.json',
        line: 1,
        stage: 'api',
        reason: 'Parent usergroup with sourceId [B-NOPE] and source [TREE] not found.',
        reasons: ['Parent usergroup with sourceId [B-NOPE] and source [TREE] not found.'],
        record: { no: 'O2', last: 'Lost', branch: 'B-NOPE' },
      },
    ]);
    const results = await readNdjson(join(dir, 'out-orphans', 'results.ndjson'));
    expect(results.map((r) => [r.key, r.success])).toEqual([
      ['O1', true],
      ['O2', false],
    ]);
    expect(fx.emu.store.getUser('TREE', 'O1')?.item.parent).toEqual({ source: 'TREE', sourceId: branchCode(3) });
    expect(fx.emu.store.getUser('TREE', 'O2')).toBeUndefined();
  });

  it('a second run keeps non-empty name/company (skipIfNotEmpty) and existing parents (skipMoveOnUpdate)', async () => {
    const moved = t.branches.map((b) => ({
      ...b,
      name: `Renamed ${b.id}`,
      company: 'New Co',
      department: 'Service',
      parent_id: regionId((((b.id - 1000) % 10) + 1) % 10),
    }));
    const root = { ...t.root, company: 'Holding N.V.' };
    const regions = t.regions.map((r) => ({ ...r, company: 'Other B.V.' }));
    await writeFile(join(dir, 'groups.ndjson'), ndjson([...moved, ...regions, root]));
    const second = await runCli(['run', 'tree-usergroups.yaml', '--out', 'out-second'], { cwd: dir, env: targetEnv(fx.emu, SECRET) });
    expect(second.code).toBe(0);
    const summary = JSON.parse(await readFile(join(dir, 'out-second', 'summary.json'), 'utf8')) as { counts: Record<string, unknown> };
    expect(summary.counts).toMatchObject({ updated: 211, created: 0, rejected: { total: 0 } });
    const b5 = fx.emu.store.getUsergroup(branchId(5))!.item;
    expect(b5.name).toBe('Branch 5'); // skipIfNotEmpty: name was stored, kept
    expect(b5.company).toBe('New Co'); // skipIfNotEmpty: company was empty, so it is set
    expect(b5.department).toBe('Service'); // not protected: updated
    expect(b5.parent).toEqual({ id: regionId(5) }); // skipMoveOnUpdate: not moved to region 6
    expect(fx.emu.store.getUsergroup(regionId(2))!.item.company).toBe('Region 2 B.V.');
    expect(fx.emu.store.getUsergroup(1)!.item.company).toBe('Holding N.V.');
  });
});
