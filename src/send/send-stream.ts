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
 * flight have finished and their outcomes were passed on.
 */
import { Duplex } from 'node:stream';
import type { Batch, Outcome, RejectEvent } from '../core/record.js';
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
/** What the loop waits for: the next input, or a batch in flight finishing. */
type Wake = { readonly next: IteratorResult<Input> } | { readonly done: Promise<Wake>; readonly outcomes: readonly Outcome[] };

export function createSendStream(client: BatchSender, options: SendStreamOptions): Duplex {
  if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }
  // Duplex.from gives both sides a highWaterMark of 1: one batch waits to be taken, and the loop
  // below runs only while the reader keeps up.
  return Duplex.from((input: AsyncIterable<Input>) => sendAll(input, client, options));
}

async function* sendAll(input: AsyncIterable<Input>, client: BatchSender, opts: SendStreamOptions): AsyncGenerator<Outcome> {
  const gate = new KeyGate();
  const inFlight = new Set<Promise<Wake>>();
  let failure: Error | undefined;
  const stopped = (): boolean => failure !== undefined || opts.stop?.aborted === true;
  // Without onFailure a failure ends the stage: no more input is taken.
  const takingInput = (): boolean => !(failure !== undefined && opts.onFailure === undefined);

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
  function start(batch: Batch): void {
    const done: Promise<Wake> = send(batch).then((outcomes) => ({ done, outcomes }));
    inFlight.add(done);
  }

  const source = input[Symbol.asyncIterator]();
  let next: Promise<Wake> | undefined;
  let ended = false;
  for (;;) {
    const taking = !ended && takingInput();
    if (taking && next === undefined && inFlight.size < opts.concurrency) next = source.next().then((r) => ({ next: r }));
    const waits = taking && next !== undefined ? [next, ...inFlight] : [...inFlight];
    if (waits.length === 0) break;
    const wake = await Promise.race(waits);
    if ('next' in wake) {
      next = undefined;
      if (wake.next.done === true) ended = true;
      else if (wake.next.value.kind === 'reject') yield wake.next.value;
      else if (stopped()) opts.onUnsent?.(wake.next.value);
      else start(wake.next.value);
    } else {
      inFlight.delete(wake.done);
      yield* wake.outcomes;
    }
  }
  // Left waiting when a failure ended the stage; its outcome no longer matters.
  next?.catch(() => undefined);
  if (failure !== undefined && opts.onFailure === undefined) throw failure;
}
