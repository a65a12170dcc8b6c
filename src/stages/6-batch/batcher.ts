import type { Batch, ItemRecord, RejectEvent } from '../../core/record.js';
import { reject } from '../../core/record.js';
import { ItemBytes } from '../../core/item-bytes.js';

/** First buffer of a run's first batch; later batches start at the size the one before needed. */
const FIRST_CAPACITY = 64 * 1024;

export interface BatcherOptions {
  /** Items per batch. */
  readonly size: number;
  /** Ceiling of the whole request body in bytes (UTF-8). */
  readonly maxBytes: number;
  /** Bytes of the body around the items (`{"users":[` … `]}` plus directives). */
  readonly envelopeBytes: number;
}

/**
 * Groups items into batches by count and bytes. Each item is serialised here, once, straight into
 * the open batch's buffer as UTF-8 (the write returns its byte length: no second pass to count
 * it), and the sender sends those bytes, so no item is stringified or encoded twice.
 *
 * A key already in the open batch closes it first: Propel's order of applying items within one
 * request is not documented, so two versions of one object never share a request; the sender's
 * key gate then keeps the later batch behind the earlier one.
 */
export class Batcher {
  private readonly opts: BatcherOptions;
  private records: ItemRecord[] = [];
  private keys = new Set<string>();
  /** The open batch's items and commas, `pos` bytes of it used. */
  private buf: Buffer = Buffer.allocUnsafe(FIRST_CAPACITY);
  private pos = 0;
  private ends: number[] = [];
  private seq = 0;

  constructor(opts: BatcherOptions) {
    if (!(opts.size >= 1)) throw new RangeError('batch size must be at least 1');
    this.opts = opts;
  }

  /**
   * Adds an item; calls `emit` with every batch this completes (at most two) and returns a
   * RejectEvent when the item alone cannot fit in any request.
   */
  add(rec: ItemRecord, emit: (b: Batch) => void): RejectEvent | undefined {
    // The delta filter hands on the JSON it hashed: what is sent is exactly what was compared.
    const json = rec.json ?? JSON.stringify(rec.item);
    const separator = this.records.length > 0 ? 1 : 0;
    const at = this.pos + separator;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; written first, counted by the write itself.
    this.reserve(at + 3 * json.length);
    const size = this.buf.write(json, at);
    if (this.opts.envelopeBytes + size > this.opts.maxBytes) {
      return reject(
        rec.prov,
        'validate',
        `item is ${size} bytes serialised, more than batch.maxBytes (${this.opts.maxBytes}) allows in one request`,
        rec.source,
      );
    }
    if (separator === 1 && (this.keys.has(rec.key) || this.opts.envelopeBytes + at + size > this.opts.maxBytes)) {
      // The item opens the next batch; its bytes move to the new buffer's start.
      const old = this.buf;
      emit(this.close());
      this.reserve(size);
      old.copy(this.buf, 0, at, at + size);
      this.pos = size;
    } else {
      if (separator === 1) this.buf[this.pos] = 0x2c; // ','
      this.pos = at + size;
    }
    this.records.push(rec);
    this.ends.push(this.pos);
    if (rec.key !== '') this.keys.add(rec.key);
    if (this.records.length >= this.opts.size) emit(this.close());
    return undefined;
  }

  /** The open batch, if any; called at the end of input. */
  flush(): Batch | undefined {
    return this.records.length > 0 ? this.close() : undefined;
  }

  private close(): Batch {
    const batch: Batch = {
      kind: 'batch',
      seq: ++this.seq,
      records: this.records,
      items: new ItemBytes(this.buf, this.ends),
      bytes: this.opts.envelopeBytes + this.pos,
    };
    this.records = [];
    this.ends = [];
    this.keys = new Set();
    // The closed batch keeps its buffer; the next starts with room for as much as this one used.
    this.buf = Buffer.allocUnsafe(Math.max(1024, Math.ceil(this.pos * 1.25)));
    this.pos = 0;
    return batch;
  }

  /** Room for `bytes` in the open batch's buffer, keeping what is written. */
  private reserve(bytes: number): void {
    if (bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, 2 * this.buf.length));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
