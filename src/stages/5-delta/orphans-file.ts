import { PrivateFile } from '../../core/private-file.js';
import type { Orphan } from '../../state/delta-state.js';

export const ORPHANS_FILE = 'orphans.ndjson';

/** One orphans.ndjson line: the key as sent, the full identity when it differs (users), Propel's id, when last acknowledged. */
function orphanLine(o: Orphan): string {
  const key = o.sentKey ?? o.key;
  return JSON.stringify({
    key,
    ...(key !== o.key ? { identity: o.key.startsWith('[') ? (JSON.parse(o.key) as unknown) : o.key } : {}),
    id: o.id,
    acknowledgedAt: new Date(o.ackedAt).toISOString(),
  });
}

/**
 * Writes the orphans to `path` (0600: keys are personal data), in pieces of about 64 KB so a
 * million orphans never sit in memory at once; returns how many there were.
 */
export async function writeOrphans(path: string, orphans: Iterable<Orphan>): Promise<number> {
  const file = await PrivateFile.open(path, 'w');
  let n = 0;
  let buf = '';
  try {
    for (const o of orphans) {
      buf += orphanLine(o) + '\n';
      n++;
      if (buf.length >= 65_536) {
        await file.write(buf);
        buf = '';
      }
    }
    await file.write(buf);
    await file.sync();
  } finally {
    await file.close();
  }
  return n;
}
