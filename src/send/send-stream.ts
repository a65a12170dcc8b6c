/**
 * The bulk sender as a stream stage: Batch (or a RejectEvent passing through) in, Outcome out.
 * Up to `concurrency` batches are in flight (waiting at the key gate counts: it holds a slot, so
 * memory stays bounded by concurrency x batch size); the next input is accepted only when a slot
 * is free and the reader side is not backed up, which is the backpressure upstream feels.
 * Outcomes are pushed as each batch settles, not in input order.
 *
 * Rate limiting lives in the client (a RateLimiter given to BulkClient) so retries and bisection
 * halves count against `send.rate` too; this stage only bounds concurrency and ordering.
 *
 * On a fatal error from sendBatch the stage sends nothing more, lets the batches already sent
 * settle and pushes their outcomes (they were applied; the sink must record them for resume),
 * and drops batches that had not been sent yet (resume sends them). Then, by default, it fails
 * with the first error once its outcomes were read. With `onFailure` it reports the error there
 * instead and keeps draining its input (passing rejects on, dropping batches) until the input
 * ends, and then ends normally: destroying a pipeline loses outcomes still buffered in the
 * stages after this one, so a run stops its reader and raises the error after the pipeline.
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
}

type Callback = (error?: Error | null) => void;

class SendStream extends Duplex {
  private readonly client: BatchSender;
  private readonly concurrency: number;
  private readonly onFailure: ((error: Error) => void) | undefined;
  private readonly gate = new KeyGate();
  private inFlight = 0;
  private failure: Error | undefined;
  /** The write callback held back while all slots are busy or the reader is behind. */
  private heldWrite: Callback | undefined;
  private heldFinal: Callback | undefined;
  private readerBehind = false;
  private failing = false;

  constructor(client: BatchSender, options: SendStreamOptions) {
    super({ objectMode: true, readableHighWaterMark: 16, writableHighWaterMark: 1 });
    if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.client = client;
    this.concurrency = options.concurrency;
    this.onFailure = options.onFailure;
  }

  /** Failed, and failing the stream is how the error is reported (no onFailure). */
  private get failingFast(): boolean {
    return this.failure !== undefined && this.onFailure === undefined;
  }

  override _write(chunk: Batch | RejectEvent, _enc: BufferEncoding, callback: Callback): void {
    if (this.failingFast) {
      // Calling back with the error would destroy the stream now and lose the outcomes of batches
      // still in flight; the held callback dies with the stream once they have settled.
      this.heldWrite = callback;
      return;
    }
    if (chunk.kind === 'reject') {
      this.emitOutcome(chunk);
      this.release(callback);
      return;
    }
    if (this.failure !== undefined) {
      // Read but never sent: not settled, so a resume sends it.
      this.release(callback);
      return;
    }
    this.inFlight++;
    void this.run(chunk);
    this.release(callback);
  }

  override _read(): void {
    this.readerBehind = false;
    this.pumpHeld();
  }

  override _final(callback: Callback): void {
    this.heldFinal = callback;
    this.pumpHeld();
  }

  private emitOutcome(o: Outcome): void {
    if (!this.push(o)) this.readerBehind = true;
  }

  /** Calls the write callback now if there is room, otherwise later from pumpHeld. */
  private release(callback: Callback): void {
    this.heldWrite = callback;
    this.pumpHeld();
  }

  private pumpHeld(): void {
    const failure = this.failure;
    if (failure !== undefined && this.onFailure === undefined) {
      if (this.inFlight === 0) this.failAfterDrain(failure);
      return;
    }
    if (this.heldWrite !== undefined && this.inFlight < this.concurrency && !this.readerBehind) {
      const cb = this.heldWrite;
      this.heldWrite = undefined;
      cb();
    }
    if (this.heldFinal !== undefined && this.inFlight === 0) {
      const cb = this.heldFinal;
      this.heldFinal = undefined;
      this.push(null);
      cb();
    }
  }

  /**
   * destroy() throws away outcomes still buffered for the reader, and those were applied by the
   * API, so the sink must see them: end the readable side first and fail once it has drained.
   */
  private failAfterDrain(error: Error): void {
    if (this.failing || this.destroyed) return;
    this.failing = true;
    if (this.readableLength === 0) {
      this.destroy(error);
      return;
    }
    this.once('end', () => this.destroy(error));
    this.push(null);
  }

  private async run(batch: Batch): Promise<void> {
    const release = await this.gate.acquire(batch.records.map((r) => r.key));
    try {
      // A batch that was still waiting when another failed is not sent: resume will send it.
      if (this.failure !== undefined) return;
      const outcomes = await this.client.sendBatch(batch);
      for (const o of outcomes) this.emitOutcome(o);
    } catch (e) {
      if (this.failure === undefined) {
        this.failure = e instanceof Error ? e : new Error(String(e));
        this.onFailure?.(this.failure);
      }
    } finally {
      release();
      this.inFlight--;
      this.pumpHeld();
    }
  }
}

export function createSendStream(client: BatchSender, options: SendStreamOptions): Duplex {
  return new SendStream(client, options);
}
