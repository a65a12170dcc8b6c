/**
 * A set of non-negative integers kept as sorted, disjoint, non-adjacent closed ranges.
 * Settled record ordinals are mostly contiguous, so millions of them collapse into a few ranges.
 */
export type Range = readonly [number, number];

export class IntervalSet {
  private starts: number[] = [];
  private ends: number[] = [];

  get rangeCount(): number {
    return this.starts.length;
  }

  /** Number of integers in the set. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) n += this.ends[i]! - this.starts[i]! + 1;
    return n;
  }

  has(n: number): boolean {
    const i = this.indexAtOrBefore(n);
    return i >= 0 && n <= this.ends[i]!;
  }

  add(n: number): void {
    this.addRange(n, n);
  }

  addRange(lo: number, hi: number): void {
    if (hi < lo) return;
    // First range that could touch [lo, hi] (its end >= lo - 1).
    let i = this.indexAtOrBefore(lo - 1);
    if (i < 0 || this.ends[i]! < lo - 1) i++;
    let j = i;
    let newLo = lo;
    let newHi = hi;
    while (j < this.starts.length && this.starts[j]! <= hi + 1) {
      newLo = Math.min(newLo, this.starts[j]!);
      newHi = Math.max(newHi, this.ends[j]!);
      j++;
    }
    this.starts.splice(i, j - i, newLo);
    this.ends.splice(i, j - i, newHi);
  }

  ranges(): Range[] {
    return this.starts.map((s, i) => [s, this.ends[i]!] as const);
  }

  /** Index of the last range whose start <= n, or -1. */
  private indexAtOrBefore(n: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= n) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

/** Compresses a list of integers (any order, duplicates allowed) into sorted ranges. */
export function toRanges(values: readonly number[]): Range[] {
  if (values.length === 0) return [];
  const sorted = Float64Array.from(values).sort();
  const out: [number, number][] = [];
  let lo = sorted[0]!;
  let hi = lo;
  for (let i = 1; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (v <= hi + 1) hi = Math.max(hi, v);
    else {
      out.push([lo, hi]);
      lo = hi = v;
    }
  }
  out.push([lo, hi]);
  return out;
}
