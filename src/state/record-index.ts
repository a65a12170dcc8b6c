/**
 * The text hashes of the delta state's acknowledged items (core/known-bytes.ts), held for one run
 * in typed arrays: 90 bits of each hash (15 base64 characters, three words of 30 bits) in an
 * open-addressing table, and one byte of flags per slot. No object per key: 13 bytes a slot (21
 * with refreshAfter) and 1.5 to 3 slots per item, so a million acknowledged items take 27 MB, loaded
 * in one pass over the state (DeltaState.acknowledgedTexts).
 *
 * Which key a slot belongs to is not kept: the slot stands for it. A slot is `seen` when tonight's
 * input held its text (so its key is no orphan) and `passed` when the delta filter sent another
 * version of its key tonight (so a later record with this text must be sent too).
 */

/** The characters of a text hash compared in memory (90 bits): a false match across 10^6 x 10^6 records is ~10^-15. */
export const INDEX_CHARS = 15;

const USED = 1;
const SEEN = 2;
const PASSED = 4;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// Another character (never in a hash made here) reads as 'A': the words stay in range.
const DECODE = new Uint8Array(128);
for (let i = 0; i < B64.length; i++) DECODE[B64.charCodeAt(i)] = i;

/** Five base64 characters of `hash` from `at`, as 30 bits (a string of several hashes back to back is read in place). */
function word(hash: string, at: number): number {
  let w = 0;
  for (let i = at; i < at + 5; i++) w = w * 64 + (DECODE[hash.charCodeAt(i) & 127] as number);
  return w;
}

function encode(w: number): string {
  let s = '';
  for (let i = 4; i >= 0; i--) s += B64[Math.floor(w / 64 ** i) % 64];
  return s;
}

export class RecordIndex {
  private readonly words: Uint32Array;
  private readonly flags: Uint8Array;
  /** Epoch ms of each slot's acknowledgement: only for a pipeline with delta.refreshAfter. */
  private readonly acked: Float64Array | undefined;
  private readonly mask: number;
  private count = 0;

  /** Room for `items` hashes; `withAckedAt` when the night compares acknowledgement ages (refreshAfter). */
  constructor(items: number, withAckedAt = false) {
    let capacity = 1024;
    while (capacity < items * 1.5) capacity *= 2;
    this.words = new Uint32Array(capacity * 3);
    this.flags = new Uint8Array(capacity);
    this.acked = withAckedAt ? new Float64Array(capacity) : undefined;
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Holds `hash` (a text hash, or its first INDEX_CHARS characters, from `at`); the same hash twice is held once. */
  add(hash: string, ackedAt: number | null, at = 0): void {
    if (this.count >= (this.mask + 1) * 0.75) throw new RangeError('record index is full');
    const a = word(hash, at);
    const b = word(hash, at + 5);
    const c = word(hash, at + 10);
    let slot = a & this.mask;
    for (;;) {
      if ((this.flags[slot] as number) === 0) break;
      if (this.words[slot * 3] === a && this.words[slot * 3 + 1] === b && this.words[slot * 3 + 2] === c) return;
      slot = (slot + 1) & this.mask;
    }
    this.words[slot * 3] = a;
    this.words[slot * 3 + 1] = b;
    this.words[slot * 3 + 2] = c;
    this.flags[slot] = USED;
    // Never acknowledged at a known time: any refresh is due (-Infinity, as decide() reads null).
    if (this.acked !== undefined) this.acked[slot] = ackedAt ?? Number.NEGATIVE_INFINITY;
    this.count++;
  }

  /** The slot holding `hash`, or -1. */
  find(hash: string): number {
    const a = word(hash, 0);
    let slot = a & this.mask;
    for (;;) {
      const f = this.flags[slot] as number;
      if (f === 0) return -1;
      if (this.words[slot * 3] === a && this.words[slot * 3 + 1] === word(hash, 5) && this.words[slot * 3 + 2] === word(hash, 10)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  markSeen(slot: number): void {
    this.flags[slot] = (this.flags[slot] as number) | SEEN;
  }

  markPassed(slot: number): void {
    this.flags[slot] = (this.flags[slot] as number) | PASSED;
  }

  passed(slot: number): boolean {
    return ((this.flags[slot] as number) & PASSED) !== 0;
  }

  /** Epoch ms of the slot's acknowledgement (-Infinity when not known); only with `withAckedAt`. */
  ackedAt(slot: number): number {
    return this.acked?.[slot] ?? Number.NEGATIVE_INFINITY;
  }

  /** The first INDEX_CHARS characters of every hash tonight's input did not hold. */
  *unseen(): Generator<string> {
    for (let slot = 0; slot <= this.mask; slot++) {
      if ((this.flags[slot] as number) === USED) {
        yield encode(this.words[slot * 3] as number) + encode(this.words[slot * 3 + 1] as number) + encode(this.words[slot * 3 + 2] as number);
      }
    }
  }
}
