import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { userSizedHeap } from '../../src/cli/heap-growth.js';
import { CLI } from '../support/cli.js';

describe('the CLI heap growth', () => {
  it("leaves the heap to the user who sized it, in NODE_OPTIONS or on node's command line", () => {
    expect(userSizedHeap(undefined, [])).toBe(false);
    expect(userSizedHeap('--enable-source-maps --dns-result-order=ipv4first', ['--import', 'x.mjs'])).toBe(false);
    expect(userSizedHeap('--max-old-space-size=512', [])).toBe(true);
    expect(userSizedHeap('--enable-source-maps --max_semi_space_size=8', [])).toBe(true);
    expect(userSizedHeap('--heap-growing-percent=0', [])).toBe(true);
    expect(userSizedHeap(undefined, ['--max-heap-size=256'])).toBe(true);
    expect(userSizedHeap(undefined, ['--optimize-for-size'])).toBe(true);
    // Look-alikes are not heap flags.
    expect(userSizedHeap('--max-old-space-size-percentage-x', ['--max-http-header-size=9000'])).toBe(false);
  });

  it('is set without a word on stderr (a flag this Node lacked would print an error line)', () => {
    const r = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });
});
