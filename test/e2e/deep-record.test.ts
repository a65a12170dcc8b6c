/**
 * One deep record does not kill the night (issue 25): an NDJSON record nested 5,000 levels between
 * valid ones used to overflow the stack in the reject writer (exit 3, nothing after it sent, and a
 * resume hit it again). Now it is one read reject and the night completes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPTH_REASON } from '../../src/stages/1-read/depth-check.js';
import { runCli, targetEnv } from '../support/cli.js';
import { emulatorPerFile, storedUsersById } from '../support/emulator.js';
import { usersWorkspace } from './delivery-helpers.js';

const SECRET = 'deep-Record-Secret-4';
const fixture = emulatorPerFile(SECRET);

describe('a record nested 5,000 levels deep', { timeout: 60_000 }, () => {
  it('is one read reject; the records after it are sent; exit 1', async () => {
    const dir = await usersWorkspace([], { batchSize: 10, concurrency: 1 });
    const deep = '{"a":'.repeat(4999) + '1' + '}'.repeat(4999);
    const rows = [
      JSON.stringify({ no: 'P1', first: 'Ann' }),
      `{"no":"P2","first":${deep}}`,
      ...Array.from({ length: 30 }, (_, i) => JSON.stringify({ no: `Q${i}`, first: 'Bo' })),
    ];
    await writeFile(join(dir, 'users.ndjson'), rows.join('\n') + '\n');
    const r = await runCli(['run', 'users.yaml', '--out', 'out', '--quiet'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(storedUsersById(fixture.emu).size).toBe(31);
    const rejects = (await readFile(join(dir, 'out', 'rejects.ndjson'), 'utf8')).trim().split('\n');
    expect(rejects).toHaveLength(1);
    expect(JSON.parse(rejects[0]!)).toMatchObject({ line: 2, stage: 'read', reason: DEPTH_REASON, record: { no: 'P2' } });
  });
});
