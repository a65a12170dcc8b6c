/** Sizes in a pipeline file: a number of bytes, or text such as `500mb`, `4GiB`, `64 kb` (1024-based). */
import { ConfigError } from '../core/errors.js';

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

export function parseByteSize(value: number | string, key: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return Math.floor(value);
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const factor = m === null ? undefined : UNITS[(m[2] ?? '').toLowerCase() || 'b'];
    if (m !== null && factor !== undefined && Number(m[1]) > 0) return Math.floor(Number(m[1]) * factor);
  }
  throw new ConfigError(`${key} must be a positive size such as 500mb, got "${String(value)}"`, { key });
}
