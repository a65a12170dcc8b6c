/**
 * No overtaking: a batch may be sent only when none of its lookup keys is in a batch still in
 * flight, nor in an earlier batch still waiting here. So the later version of an item is always
 * applied after the earlier one, also while the earlier is being retried. Batches that share no
 * key with anything ahead of them go through at once. Waiters are bounded by the caller's
 * concurrency, so the queue stays small.
 */
interface Waiter {
  /** As given: a key twice is counted twice, and released twice. */
  readonly keys: readonly string[];
  readonly grant: () => void;
}

export class KeyGate {
  /** Keys of admitted batches, counted (a key may appear twice in one batch). */
  private readonly held = new Map<string, number>();
  private readonly queue: Waiter[] = [];

  /** Resolves with a release function once the keys may go; call it when the batch has settled. */
  acquire(keys: readonly string[]): Promise<() => void> {
    // No copy into a Set: the counts make duplicates harmless, and a batch's 500 inserts were most of the gate's cost.
    return new Promise((resolve) => {
      this.queue.push({ keys, grant: () => resolve(this.releaser(keys)) });
      this.pump();
    });
  }

  /** Keys currently admitted (for tests and stats). */
  get heldCount(): number {
    return this.held.size;
  }

  get waiting(): number {
    return this.queue.length;
  }

  private releaser(keys: readonly string[]): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const k of keys) {
        const n = (this.held.get(k) ?? 0) - 1;
        if (n <= 0) this.held.delete(k);
        else this.held.set(k, n);
      }
      this.pump();
    };
  }

  private pump(): void {
    // Keys of waiters that stay queued block later waiters too, or a third version could pass the second.
    const blocked = new Set<string>();
    for (let i = 0; i < this.queue.length; ) {
      const w = this.queue[i]!;
      let free = true;
      for (const k of w.keys) {
        if (this.held.has(k) || blocked.has(k)) {
          free = false;
          break;
        }
      }
      if (free) {
        for (const k of w.keys) this.held.set(k, (this.held.get(k) ?? 0) + 1);
        this.queue.splice(i, 1);
        w.grant();
      } else {
        for (const k of w.keys) blocked.add(k);
        i++;
      }
    }
  }
}
