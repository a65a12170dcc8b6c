/**
 * Downloads of one run shared by its phases. A run opens a remote ZIP archive several times
 * before and while it reads it (the input's identity, the encoding and column checks, the read
 * itself); each would otherwise download the whole object again, which for an archive of
 * gigabytes in a bucket is minutes and egress paid for twice or three times. A download is
 * kept after its users released it, until `releaseIdle()` (the run's end) removes it; one still
 * leased then is removed when its last lease is released.
 */
import type { LocalFile, StoredObject } from './storage.js';

interface Entry {
  readonly file: Promise<LocalFile>;
  leases: number;
  /** Set by releaseIdle while leased: remove at the last release instead of keeping it. */
  dropWhenFree: boolean;
}

export class SharedDownloads {
  private readonly entries = new Map<string, Entry>();

  /** The object's download, made by `download` only if none of this version is kept. */
  async lease(object: StoredObject, download: () => Promise<LocalFile>): Promise<LocalFile> {
    // The version (an ETag) is part of the key: an object replaced under the run is downloaded again.
    const key = `${object.location}\u0000${object.version}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { file: download(), leases: 0, dropWhenFree: false };
      this.entries.set(key, entry);
      const made = entry;
      // A failed download is not kept: the next lease tries again.
      made.file.catch(() => {
        if (this.entries.get(key) === made) this.entries.delete(key);
      });
    }
    const held = entry;
    held.leases++;
    let file: LocalFile;
    try {
      file = await held.file;
    } catch (e) {
      held.leases--;
      throw e;
    }
    let released = false;
    return {
      path: file.path,
      release: async () => {
        if (released) return;
        released = true;
        held.leases--;
        if (held.leases === 0 && held.dropWhenFree) {
          if (this.entries.get(key) === held) this.entries.delete(key);
          await file.release();
        }
      },
    };
  }

  /** Removes every download no one holds now; the ones still held go at their last release. */
  async releaseIdle(): Promise<void> {
    const removals: Promise<void>[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.leases > 0) {
        entry.dropWhenFree = true;
        continue;
      }
      this.entries.delete(key);
      removals.push(
        entry.file.then(
          (f) => f.release(),
          () => undefined,
        ),
      );
    }
    await Promise.all(removals);
  }

  /** Downloads kept now (for tests). */
  get size(): number {
    return this.entries.size;
  }
}
