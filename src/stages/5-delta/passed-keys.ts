/**
 * The keys the delta filter passed on in this run, as 64-bit hashes in one open-addressing table
 * (8 bytes a slot, no string kept): a first night passes every key, and a Set of a million key
 * strings would cost some 70 MB. Two keys hashing alike (about 1 in 10^7 over a million keys)
 * only make the later one count as passed: a later version of it is sent though unchanged,
 * never held back.
 */
export class PassedKeys {
  private table = new Uint32Array(2 * 4096);
  private mask = 4095;
  private count = 0;
  /** The last key hashed, and its two halves (no array per call). */
  private hashed: string | undefined;
  private readonly h = { a: 0, b: 0 };

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    this.hashOf(key);
    const { a, b } = this.h;
    for (let slot = a & this.mask; ; slot = (slot + 1) & this.mask) {
      const x = this.table[slot * 2] as number;
      const y = this.table[slot * 2 + 1] as number;
      if (x === 0 && y === 0) return false;
      if (x === a && y === b) return true;
    }
  }

  add(key: string): void {
    this.hashOf(key);
    if (this.put(this.h.a, this.h.b)) this.count++;
    if (this.count * 2 > this.mask + 1) this.grow();
  }

  /** The key's hash into `h`; the filter asks `has` then `add` for the same key, which then hashes it once. */
  private hashOf(key: string): void {
    if (key === this.hashed) return;
    keyHash(key, this.h);
    this.hashed = key;
  }

  private put(a: number, b: number): boolean {
    for (let slot = a & this.mask; ; slot = (slot + 1) & this.mask) {
      const x = this.table[slot * 2] as number;
      const y = this.table[slot * 2 + 1] as number;
      if (x === a && y === b) return false;
      if (x === 0 && y === 0) {
        this.table[slot * 2] = a;
        this.table[slot * 2 + 1] = b;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let i = 0; i < old.length; i += 2) {
      const a = old[i] as number;
      const b = old[i + 1] as number;
      if (a !== 0 || b !== 0) this.put(a, b);
    }
  }
}

/** Two 32-bit halves (cyrb53's mixing, kept to 64 bits) into `out`; never both 0, the empty slot's mark. */
function keyHash(s: string, out: { a: number; b: number }): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out.a = h1 >>> 0;
  out.b = h2 >>> 0;
  if (out.a === 0 && out.b === 0) out.b = 1;
}
