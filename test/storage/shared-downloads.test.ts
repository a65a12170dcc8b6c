import { describe, expect, it } from 'vitest';
import { SharedDownloads } from '../../src/storage/shared-downloads.js';
import type { LocalFile, StoredObject } from '../../src/storage/index.js';

const object = (version: string): StoredObject => ({ display: 's3://b/a.zip', location: 's3://b/a.zip', size: 10, version });

/** A download that counts how often it was made and removed. */
function downloads(): { made: number; removed: string[]; make: (name: string) => () => Promise<LocalFile> } {
  const state = {
    made: 0,
    removed: [] as string[],
    make: (name: string) => async (): Promise<LocalFile> => {
      state.made++;
      return { path: `/tmp/${name}`, release: async () => void state.removed.push(name) };
    },
  };
  return state;
}

describe('SharedDownloads', () => {
  it('downloads an object version once for every lease of the run, and removes it at releaseIdle', async () => {
    const d = downloads();
    const shared = new SharedDownloads();
    const first = await shared.lease(object('e1'), d.make('a'));
    await first.release();
    const second = await shared.lease(object('e1'), d.make('a'));
    expect(second.path).toBe('/tmp/a');
    await second.release();
    await second.release(); // twice is once
    expect([d.made, d.removed]).toEqual([1, []]);
    await shared.releaseIdle();
    expect([d.removed, shared.size]).toEqual([['a'], 0]);
    // After the run's end a new lease downloads again.
    await (await shared.lease(object('e1'), d.make('a'))).release();
    expect(d.made).toBe(2);
  });

  it('downloads a new version of the object again', async () => {
    const d = downloads();
    const shared = new SharedDownloads();
    await (await shared.lease(object('e1'), d.make('v1'))).release();
    await (await shared.lease(object('e2'), d.make('v2'))).release();
    expect(d.made).toBe(2);
  });

  it('leases given at the same time share one download in progress', async () => {
    const d = downloads();
    const shared = new SharedDownloads();
    const [a, b] = await Promise.all([shared.lease(object('e1'), d.make('a')), shared.lease(object('e1'), d.make('a'))]);
    expect([a.path, b.path, d.made]).toEqual(['/tmp/a', '/tmp/a', 1]);
  });

  it('keeps a download still held at releaseIdle until its last release', async () => {
    const d = downloads();
    const shared = new SharedDownloads();
    const held = await shared.lease(object('e1'), d.make('a'));
    await shared.releaseIdle();
    expect(d.removed).toEqual([]);
    await held.release();
    expect([d.removed, shared.size]).toEqual([['a'], 0]);
  });

  it('does not keep a failed download: the next lease tries again', async () => {
    const shared = new SharedDownloads();
    const failing = async (): Promise<LocalFile> => {
      throw new Error('connection reset');
    };
    await expect(shared.lease(object('e1'), failing)).rejects.toThrow('connection reset');
    expect(shared.size).toBe(0);
    const d = downloads();
    await (await shared.lease(object('e1'), d.make('a'))).release();
    expect(d.made).toBe(1);
  });
});
