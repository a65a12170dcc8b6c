/**
 * A local input as a StoredObject, and byte ranges of it: the two things the input identity
 * needs from a storage. Stands in for the local Storage until the storage registry serves
 * inputs; then the identity takes the run's own StoredObjects and Storage instead.
 */
import { open, stat } from 'node:fs/promises';
import type { Storage, StoredObject } from '../storage/storage.js';

export async function localObject(path: string, display: string): Promise<StoredObject> {
  const st = await stat(path);
  return { display, location: path, size: st.size, version: `${st.size}:${Math.trunc(st.mtimeMs)}` };
}

export const localRanges: Pick<Storage, 'readRange'> = {
  async readRange(object, start, end) {
    const fh = await open(object.location, 'r');
    try {
      const buf = Buffer.alloc(Math.max(0, end - start));
      let at = 0;
      while (at < buf.length) {
        const { bytesRead } = await fh.read(buf, at, buf.length - at, start + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return buf.subarray(0, at);
    } finally {
      await fh.close();
    }
  },
};
