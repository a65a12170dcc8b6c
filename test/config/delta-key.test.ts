import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/index.js';
import { parseAgeMs } from '../../src/config/normalise.js';
import { configError } from './helpers.js';
import { tempFiles } from '../support/files.js';

const write = tempFiles('propel-etl-delta-');
const BASE = `name: t
resource: users
source: { path: in.csv }
mapping:
  sourceId: { from: id }
`;

describe('the delta: key', () => {
  it('{} turns it on with the defaults; refreshAfter takes days, hours, minutes, seconds', async () => {
    expect((await loadPipeline(write('a.yaml', `${BASE}delta: {}\n`))).delta).toEqual({ orphans: 'report' });
    expect((await loadPipeline(write('b.yaml', `${BASE}delta: { refreshAfter: 30d, orphans: ignore }\n`))).delta).toEqual({
      orphans: 'ignore',
      refreshAfterMs: 30 * 86_400_000,
    });
    expect((await loadPipeline(write('c.yaml', BASE))).delta).toBeUndefined();
    expect([parseAgeMs('12h'), parseAgeMs('90m'), parseAgeMs(' 45s '), parseAgeMs(60)]).toEqual([43_200_000, 5_400_000, 45_000, 60_000]);
  });

  it('a wrong key or value names the key and its line', async () => {
    const unknown = await configError(loadPipeline(write('d.yaml', `${BASE}delta:\n  refreshAfter: 30d\n  orphan: report\n`)));
    expect(unknown.message).toBe('unknown key "orphan" in delta (did you mean "orphans"?)');
    expect(unknown.context.line).toBe(8);
    const age = await configError(loadPipeline(write('e.yaml', `${BASE}delta:\n  refreshAfter: a month\n`)));
    expect(age.message).toMatch(/^delta.refreshAfter .*30d.*; got "a month"$/);
    expect(age.context.line).toBe(7);
    const orphans = await configError(loadPipeline(write('f.yaml', `${BASE}delta: { orphans: delete }\n`)));
    expect(orphans.message).toBe('delta.orphans must be one of: report, ignore; got "delete"');
    expect(orphans.exitCode).toBe(2);
  });
});

describe('an emulator target with a state file (the demo)', () => {
  it('resolves the file against the working folder', async () => {
    const { loadTarget } = await import('../../src/config/index.js');
    expect(await loadTarget('demo', { cwd: '/srv/etl' })).toEqual({
      name: 'demo',
      kind: 'emulator',
      stateFile: '/srv/etl/data/demo-emulator.json',
    });
    expect(await loadTarget('local', { cwd: '/srv/etl' })).toEqual({ name: 'local', kind: 'emulator' });
  });
});
