/**
 * The bulk sender as a stream stage: Batch (or a RejectEvent passing through) in, Outcome out.
 * Up to `concurrency` batches are in flight (waiting at the key gate counts: it holds a slot, so
 * memory stays bounded by concurrency x batch size); the next input is taken only when a slot is
 * free and the reader has taken the outcomes so far, which is the backpressure upstream feels.
 * Outcomes are passed on as each batch is answered, not in input order.
 *
 * Rate limiting lives in the client (a RateLimiter given to BulkClient) so retries and bisection
 * halves count against `send.rate` too; this stage only bounds concurrency and ordering.
 *
 * Once `stop` is aborted (a signal, or a fatal error elsewhere in the run) or a batch failed, no
 * new request starts: batches in flight finish (with their retries) and their outcomes are passed
 * on, since the API applied them and the sink must record them for `--resume`; batches not yet
 * sent are dropped and reported to `onUnsent` (not settled, so a resume sends them). A fatal
 * error from sendBatch is reported to `onFailure`, and the stage keeps draining its input
 * (passing rejects on) and ends normally: destroying a pipeline loses outcomes still buffered in
 * the stages after this one, so a run stops its reader and raises the error after the pipeline.
 * Without `onFailure`, the stage stops taking input and fails with the error once the batches in
 * flight have finished and their outcomes were passed on. *
 * Shape: the stream edge (SendStream) only moves chunks; `sendAll` is one sequential loop over
 * events (an input taken, a batch answered, the reader caught up) posted to one queue, with a
 * counter of batches in flight. Not Promise.race over the batches in flight: each race leaves a
 * reaction on every pending promise, and that garbage doubled this stage's CPU per record.
 */
import { Duplex } from 'node:stream';
import { Inbox } from './inbox.js';
import type { Batch, Outcome, RejectEvent } from '../../core/record.js';
import { KeyGate } from './key-gate.js';

export interface BatchSender {
  sendBatch(batch: Batch): Promise<Outcome[]>;
}

export interface SendStreamOptions {
  /** Batches in flight at once (>= 1). */
  readonly concurrency: number;
  /** Called once with the first fatal error; the stream then drains and ends instead of failing. */
  readonly onFailure?: (error: Error) => void;
  /** Aborted: no new request starts; what is in flight finishes. */
  readonly stop?: AbortSignal;
  /** A batch taken but never sent (after a stop or a failure). */
  readonly onUnsent?: (batch: Batch) => void;
}

type Input = Batch | RejectEvent;
/** What the loop waits for: the next input (or its failure), a batch in flight finishing, or the reader catching up. */
type Wake =
  | { readonly next: IteratorResult<Input> }
  | { readonly error: unknown }
  | { readonly outcomes: readonly Outcome[] }
  | { readonly caughtUp: true };

/** Where outcomes go: the readable side. */
interface Outlet {
  pass(outcomes: readonly Outcome[]): void;
  /** While the reader is behind: resolves once it wants more. */
  behind(): Promise<void> | undefined;
}

export function createSendStream(client: BatchSender, options: SendStreamOptions): Duplex {
  if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }
  return new SendStream(client, options);
}

/**
 * Only the stream edge: writes feed an Inbox (a write is accepted when the loop takes it), the
 * loop's outcomes are pushed as they come. All decisions are in `sendAll`. Pushed directly
 * rather than yielded from an async generator (Duplex.from): that costs a promise per record.
 */
class SendStream extends Duplex implements Outlet {
  readonly #inbox = new Inbox<Input>();
  #behind: { readonly caughtUp: Promise<void>; readonly resolve: () => void } | undefined;

  constructor(client: BatchSender, options: SendStreamOptions) {
    super({ objectMode: true, readableHighWaterMark: 16, writableHighWaterMark: 1 });
    sendAll(this.#inbox, client, options, this).then(
      () => this.push(null),
      (e: unknown) => this.#failAfterDrain(e instanceof Error ? e : new Error(String(e))),
    );
  }

  override _write(chunk: Input, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#inbox.put(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#inbox.end(callback);
  }

  override _read(): void {
    const behind = this.#behind;
    this.#behind = undefined;
    behind?.resolve();
  }

  pass(outcomes: readonly Outcome[]): void {
    let room = true;
    for (const o of outcomes) room = this.push(o);
    if (!room && this.#behind === undefined) {
      let resolve!: () => void;
      const caughtUp = new Promise<void>((r) => (resolve = r));
      this.#behind = { caughtUp, resolve };
    }
  }

  behind(): Promise<void> | undefined {
    return this.#behind?.caughtUp;
  }

  /** destroy() would throw away outcomes still buffered for the reader, which the API applied: end first, then fail. */
  #failAfterDrain(error: Error): void {
    if (this.destroyed) return;
    if (this.readableLength === 0) {
      this.destroy(error);
      return;
    }
    this.once('end', () => this.destroy(error));
    this.push(null);
  }
}

async function sendAll(source: AsyncIterator<Input>, client: BatchSender, opts: SendStreamOptions, out: Outlet): Promise<void> {
  const gate = new KeyGate();
  let inFlight = 0;
  let failure: Error | undefined;
  const stopped = (): boolean => failure !== undefined || opts.stop?.aborted === true;
  // Without onFailure a failure ends the stage: no more input is taken.
  const takingInput = (): boolean => !(failure !== undefined && opts.onFailure === undefined);

  // Everything the loop waits for arrives here, in the order it happened.
  const wakes: Wake[] = [];
  let wakeUp: (() => void) | undefined;
  const post = (w: Wake): void => {
    wakes.push(w);
    wakeUp?.();
    wakeUp = undefined;
  };

  async function send(batch: Batch): Promise<readonly Outcome[]> {
    const release = await gate.acquire(batch.records.map((r) => r.key));
    try {
      // Waited at the gate while the run stopped: not sent, so a resume sends it.
      if (stopped()) {
        opts.onUnsent?.(batch);
        return [];
      }
      return await client.sendBatch(batch);
    } catch (e) {
      if (failure === undefined) {
        failure = e instanceof Error ? e : new Error(String(e));
        opts.onFailure?.(failure);
      }
      return [];
    } finally {
      release();
    }
  }

  let asked = false;
  let waitingForReader: Promise<void> | undefined;
  let ended = false;
  for (;;) {
    const taking = !ended && takingInput();
    // Input is taken only with a slot free and the reader keeping up (batches in flight go on regardless).
    const behind = out.behind();
    if (taking && !asked && inFlight < opts.concurrency) {
      if (behind === undefined) {
        asked = true;
        source.next().then(
          (r) => post({ next: r }),
          (e: unknown) => post({ error: e }),
        );
      } else if (waitingForReader !== behind) {
        waitingForReader = behind;
        void behind.then(() => post({ caughtUp: true }));
      }
    }
    if (wakes.length === 0) {
      // Nothing can arrive any more: no batch in flight and no input asked for or wanted.
      if (inFlight === 0 && !(taking && (asked || waitingForReader !== undefined))) break;
      await new Promise<void>((resolve) => (wakeUp = resolve));
      continue;
    }
    const wake = wakes.shift()!;
    if ('next' in wake) {
      asked = false;
      if (wake.next.done === true) ended = true;
      else if (wake.next.value.kind === 'reject') out.pass([wake.next.value]);
      else if (stopped()) opts.onUnsent?.(wake.next.value);
      else {
        inFlight++;
        void send(wake.next.value).then((outcomes) => post({ outcomes }));
      }
    } else if ('outcomes' in wake) {
      inFlight--;
      out.pass(wake.outcomes);
    } else if ('error' in wake) {
      throw wake.error;
    } else {
      waitingForReader = undefined;
    }
  }
  if (failure !== undefined && opts.onFailure === undefined) throw failure;
}
