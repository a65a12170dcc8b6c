/**
 * A stream's writable side as an async iterator with room for one chunk: a write is accepted
 * (its callback called) only when the consumer asks for the next chunk, so the writer upstream
 * waits exactly as long as the consumer does not want more.
 */
type Callback = (error?: Error | null) => void;

export class Inbox<T> implements AsyncIterator<T> {
  /** The consumer, waiting for a chunk. */
  #taker: ((r: IteratorResult<T>) => void) | undefined;
  /** A write (or the end), waiting for the consumer. */
  #offer: { readonly chunk: IteratorResult<T>; readonly callback: Callback } | undefined;

  put(chunk: T, callback: Callback): void {
    this.#hand({ value: chunk, done: false }, callback);
  }

  end(callback: Callback): void {
    this.#hand({ value: undefined, done: true }, callback);
  }

  next(): Promise<IteratorResult<T>> {
    const offer = this.#offer;
    if (offer === undefined) return new Promise((resolve) => (this.#taker = resolve));
    this.#offer = undefined;
    offer.callback();
    return Promise.resolve(offer.chunk);
  }

  #hand(chunk: IteratorResult<T>, callback: Callback): void {
    const taker = this.#taker;
    if (taker === undefined) {
      this.#offer = { chunk, callback };
      return;
    }
    this.#taker = undefined;
    callback();
    taker(chunk);
  }
}
