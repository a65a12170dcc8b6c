import type { Batch, ItemRecord, RejectEvent } from '../core/record.js';
import { reject } from '../core/record.js';

export interface BatcherOptions {
  /** Items per batch. */
  readonly size: number;
  /** Ceiling of the whole request body in bytes (UTF-8). */
  readonly maxBytes: number;
  /** Bytes of the body around the items (`{"users":[` … `]}` plus directives). */
  readonly envelopeBytes: number;
}

/**
 * Groups items into batches by count and bytes. Each item is serialised here, once, and the
 * sender joins the pieces, so no item is stringified twice.
 *
 * A key already in the open batch closes it first: Propel's order of applying items within one
 * request is not documented, so two versions of one object never share a request; the sender's
 * key gate then keeps the later batch behind the earlier one.
 */
export class Batcher {
  private readonly opts: BatcherOptions;
  private records: ItemRecord[] = [];
  private json: string[] = [];
  private keys = new Set<string>();
  /** Body bytes of the open batch: envelope + items + commas. */
  private bytes: number;
  private seq = 0;

  constructor(opts: BatcherOptions) {
    if (!(opts.size >= 1)) throw new RangeError('batch size must be at least 1');
    this.opts = opts;
    this.bytes = opts.envelopeBytes;
  }

  /**
   * Adds an item; calls `emit` with every batch this completes (at most two) and returns a
   * RejectEvent when the item alone cannot fit in any request.
   */
  add(rec: ItemRecord, emit: (b: Batch) => void): RejectEvent | undefined {
    const json = JSON.stringify(rec.item);
    const size = Buffer.byteLength(json);
    if (this.opts.envelopeBytes + size > this.opts.maxBytes) {
      return reject(
        rec.prov,
        'validate',
        `item is ${size} bytes serialised, more than batch.maxBytes (${this.opts.maxBytes}) allows in one request`,
        rec.source,
      );
    }
    const separator = this.records.length > 0 ? 1 : 0;
    if (this.records.length > 0 && (this.keys.has(rec.key) || this.bytes + separator + size > this.opts.maxBytes)) {
      emit(this.close());
    }
    this.bytes += (this.records.length > 0 ? 1 : 0) + size;
    this.records.push(rec);
    this.json.push(json);
    if (rec.key !== '') this.keys.add(rec.key);
    if (this.records.length >= this.opts.size) emit(this.close());
    return undefined;
  }

  /** The open batch, if any; called at the end of input. */
  flush(): Batch | undefined {
    return this.records.length > 0 ? this.close() : undefined;
  }

  private close(): Batch {
    const batch: Batch = { kind: 'batch', seq: ++this.seq, records: this.records, json: this.json, bytes: this.bytes };
    this.records = [];
    this.json = [];
    this.keys = new Set();
    this.bytes = this.opts.envelopeBytes;
    return batch;
  }
}
