/**
 * Byte ranges of a local file: the part of the storage seam's local implementation the Parquet
 * reader needs, until that implementation serves it (then this file goes).
 */
import { open, stat } from 'node:fs/promises';
import type { StoredObject } from '../../storage/storage.js';
import type { RangeStorage } from './parquet-file.js';

export const localRanges: RangeStorage = {
  async readRange(object: StoredObject, start: number, end: number): Promise<Uint8Array> {
    const length = Math.max(0, end - start);
    const fh = await open(object.location, 'r');
    try {
      const bytes = Buffer.allocUnsafeSlow(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await fh.read(bytes, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return bytes.subarray(0, filled);
    } finally {
      await fh.close();
    }
  },
};

export async function localObject(path: string, display: string): Promise<StoredObject> {
  const st = await stat(path);
  return { display, location: path, size: st.size, version: `${st.size}:${st.mtimeMs}` };
}
