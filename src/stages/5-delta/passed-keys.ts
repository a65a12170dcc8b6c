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

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    const [a, b] = keyHash(key);
    for (let slot = a & this.mask; ; slot = (slot + 1) & this.mask) {
      const x = this.table[slot * 2] as number;
      const y = this.table[slot * 2 + 1] as number;
      if (x === 0 && y === 0) return false;
      if (x === a && y === b) return true;
    }
  }

  add(key: string): void {
    const [a, b] = keyHash(key);
    if (this.put(a, b)) this.count++;
    if (this.count * 2 > this.mask + 1) this.grow();
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

/** Two 32-bit halves (cyrb53's mixing, kept to 64 bits); never both 0, the empty slot's mark. */
function keyHash(s: string): [number, number] {
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
  const a = h1 >>> 0;
  const b = h2 >>> 0;
  return a === 0 && b === 0 ? [0, 1] : [a, b];
}
