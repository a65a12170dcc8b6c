/** The compression of an input, from its name or its first bytes. */

export type Compression = 'none' | 'gzip' | 'zip';

export function compressionFromName(name: string): Compression {
  const lower = name.toLowerCase();
  if (lower.endsWith('.gz') || lower.endsWith('.gzip')) return 'gzip';
  if (lower.endsWith('.zip')) return 'zip';
  return 'none';
}

/** What the first bytes say: gzip's 1F 8B, or a ZIP local header / empty-archive record. */
export function compressionFromMagic(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) {
    return 'zip';
  }
  return 'none';
}
