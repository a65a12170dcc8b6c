/**
 * bench/instructions.mjs counts instructions with valgrind, which a CI machine may lack: it must
 * then say so and exit 2 rather than fail obscurely or print figures of nothing. (With valgrind,
 * one run takes minutes: it is measured by hand, see bench/LOG.md.)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('bench/instructions.mjs', () => {
  it('exits 2 with one line naming valgrind when valgrind is not on the PATH', async () => {
    const child = spawn(process.execPath, ['bench/instructions.mjs', '--n', '10'], {
      cwd: ROOT,
      env: { ...process.env, PATH: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(out.trim().split('\n')).toEqual([expect.stringMatching(/^valgrind is not installed/)]);
  });
});
