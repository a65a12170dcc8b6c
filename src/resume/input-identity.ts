/**
 * What the inputs were when a run started, so `--resume` never continues over other data.
 * Resume skips records by their ordinal; over a regenerated export the ordinals point at other
 * records, and records would be skipped that were never sent. So the journal's header holds each
 * input's identity, and a resume whose inputs differ is refused (exit 2) before anything is sent.
 *
 * Storage-agnostic: an input is a StoredObject (its `version`: size and mtime locally, the ETag
 * of an object) plus a fingerprint of its first and last 64 KiB read through `readRange`, which
 * catches a rewrite that kept the size and time. An archive is judged by its chosen entries'
 * CRC-32 and size from the ZIP directory, so re-packing the same data is not a change.
 */
import { createHash } from 'node:crypto';
import { ERR, ConfigError } from '../core/errors.js';
import type { Storage, StoredObject } from '../storage/storage.js';

/** Bytes hashed at each end of an input. */
export const FINGERPRINT_BYTES = 64 * 1024;

export interface EntryIdentity {
  readonly name: string;
  readonly crc: number;
  readonly size: number;
}

export interface InputIdentity {
  /** The input as results and messages name it. */
  readonly file: string;
  readonly size: number;
  readonly version: string;
  /** sha256 (hex) of the size, the first and the last FINGERPRINT_BYTES; '' for stdin. */
  readonly fingerprint: string;
  /** For an archive: the entries the pipeline reads. */
  readonly entries?: readonly EntryIdentity[];
}

export async function fingerprint(object: StoredObject, storage: Pick<Storage, 'readRange'>): Promise<string> {
  const hash = createHash('sha256').update(`${object.size}\n`);
  hash.update(await storage.readRange(object, 0, Math.min(object.size, FINGERPRINT_BYTES)));
  if (object.size > FINGERPRINT_BYTES) {
    hash.update(await storage.readRange(object, Math.max(FINGERPRINT_BYTES, object.size - FINGERPRINT_BYTES), object.size));
  }
  return hash.digest('hex');
}

export async function identify(
  object: StoredObject,
  storage: Pick<Storage, 'readRange'>,
  entries?: readonly EntryIdentity[],
): Promise<InputIdentity> {
  return {
    file: object.display,
    size: object.size,
    version: object.version,
    fingerprint: await fingerprint(object, storage),
    ...(entries !== undefined ? { entries: entries.map(({ name, crc, size }) => ({ name, crc, size })) } : {}),
  };
}

const bytes = (n: number): string => `${n.toLocaleString('en-US')} bytes`;
const crcHex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** What differs between one input then and now, in words; undefined when nothing does. */
function inputChange(then: InputIdentity, now: InputIdentity): string | undefined {
  if (then.entries !== undefined || now.entries !== undefined) {
    const before = new Map((then.entries ?? []).map((e) => [e.name, e]));
    const after = new Map((now.entries ?? []).map((e) => [e.name, e]));
    for (const [name, e] of before) {
      const n = after.get(name);
      if (n === undefined) return `its entry ${name} is gone since the run started`;
      if (n.crc !== e.crc || n.size !== e.size) {
        const what = [
          n.size !== e.size ? `size ${bytes(e.size)} → ${bytes(n.size)}` : undefined,
          n.crc !== e.crc ? `CRC ${crcHex(e.crc)} → ${crcHex(n.crc)}` : undefined,
        ];
        return `its entry ${name} changed since the run started (${what.filter(Boolean).join(', ')})`;
      }
    }
    for (const name of after.keys()) if (!before.has(name)) return `it has a new entry ${name} since the run started`;
    return undefined;
  }
  const what: string[] = [];
  if (then.size !== now.size) what.push(`size ${bytes(then.size)} → ${bytes(now.size)}`);
  if (then.version !== now.version) what.push(`version ${then.version} → ${now.version}`);
  if (then.fingerprint !== now.fingerprint) what.push('content differs');
  return what.length > 0 ? `it changed since the run started (${what.join(', ')})` : undefined;
}

export interface InputChange {
  readonly file: string;
  /** In words, e.g. `it changed since the run started (size …)`. */
  readonly what: string;
  /** The input is there now, changed (not gone, not new). */
  readonly changed: boolean;
}

/** Every input that is not what the run started on. Stdin cannot be identified and is not compared. */
export function inputChanges(then: readonly InputIdentity[], now: readonly InputIdentity[]): InputChange[] {
  const out: InputChange[] = [];
  const current = new Map(now.map((i) => [i.file, i]));
  for (const t of then) {
    const n = current.get(t.file);
    if (n === undefined) out.push({ file: t.file, what: 'this input was read when the run started and is gone now', changed: false });
    else if (t.file !== '-') {
      const what = inputChange(t, n);
      if (what !== undefined) out.push({ file: t.file, what, changed: true });
    }
  }
  const earlier = new Set(then.map((i) => i.file));
  for (const n of now)
    if (!earlier.has(n.file)) out.push({ file: n.file, what: 'this input is new since the run started', changed: false });
  return out;
}

/** The refusal of a resume over a changed input: exit 2, naming it and what changed. */
export function inputChangedError(change: InputChange): ConfigError {
  return new ConfigError(
    `--resume refused: ${change.what}, so the records this run settled are not known to be the ones it holds now; start over with --fresh`,
    { file: change.file, key: 'source.path' },
    ERR.INPUT_CHANGED,
  );
}

/** Throws the refusal for the first input that is not what the run started on. */
export function assertSameInputs(then: readonly InputIdentity[], now: readonly InputIdentity[]): void {
  const [first] = inputChanges(then, now);
  if (first !== undefined) throw inputChangedError(first);
}
