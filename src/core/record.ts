/**
 * The envelopes that flow between pipeline stages. A record keeps its provenance from the
 * reader to the sink so every result and reject points back at the source row.
 */
import { FieldRow } from './field-row.js';
import type { Stage } from './stages.js';
import type { ItemBytes } from './item-bytes.js';

/** Where a record came from. `line` is the 1-based line where the record starts. */
export interface Provenance {
  /** The input file as given by the user (or `-` for stdin). */
  readonly file: string;
  /** The archive entry, when the file is an archive. */
  readonly entry?: string;
  readonly line: number;
  /** 0-based ordinal of the record in the whole run (all files); stable across re-reads, used by resume. */
  readonly seq: number;
}

/** A source row as an object: a JSON record, or a CSV record keyed by header name. */
export type SourceObject = Readonly<Record<string, unknown>>;

/** A source row: a CSV record's fields by position (FieldRow), or a JSON object. */
export type SourceData = SourceObject | FieldRow;

/** The row as an object keyed by column name: for what must look at it whole (init's sample). */
export function sourceObject(data: SourceData): SourceObject {
  return data instanceof FieldRow ? data.toJSON() : data;
}

export type { Stage };

/** A record as the reader produced it. */
export interface SourceRecord {
  readonly kind: 'record';
  readonly prov: Provenance;
  readonly data: SourceData;
  /** Its own text's hash under the run's fingerprint (known-bytes.ts), where the format gives that text and the run has a delta state: the state keeps it once Propel acknowledged the item. */
  readonly textHash?: string;
}

/**
 * A record whose own text hashes to what the delta state holds for an item Propel acknowledged
 * (a delta night's fast path): unchanged, known before anything of it was built. The delta filter
 * counts it, or, where the night's rules still send it (an earlier version of its key was sent
 * tonight, a refresh is due), reads it from its text after all (`from`).
 */
export interface KnownRecord {
  readonly kind: 'known';
  readonly prov: Provenance;
  /** Where the state's index holds it. */
  readonly slot: number;
  readonly textHash: string;
  /** The record's own text, as its reader cut it. */
  readonly text: string;
  readonly from: Reread;
}

/** The reader that cut a known record, which can still make the record of its text. */
export interface Reread {
  reread(
    text: string,
    line: number,
    textHash: string,
  ): { readonly kind: 'record'; readonly data: SourceData } | { readonly kind: 'reject'; readonly reason: string; readonly raw: unknown };
}

/** A record that will not be imported, and why. Flows to rejects.ndjson. */
export interface RejectEvent {
  readonly kind: 'reject';
  readonly prov: Provenance;
  readonly stage: Stage;
  readonly reason: string;
  /**
   * Every problem found, `reason` first; absent when there is only `reason`. Worked out only for
   * records that failed (a second, exhaustive look), so valid records pay nothing for it.
   */
  readonly reasons?: readonly string[];
  /** The source record (or, when the reader could not make one, the raw text). */
  readonly record: unknown;
  /**
   * The item's lookup key, when its key fields could be mapped: the row is still in the export,
   * so the delta state's key for it is no orphan. Not written to rejects.ndjson.
   */
  readonly key?: string;
}

/** A Propel item (a user or a usergroup) as it will be sent. */
export type PropelItem = Record<string, unknown>;

/** A mapped (and later validated) item, still carrying its source. */
export interface ItemRecord {
  readonly kind: 'item';
  readonly prov: Provenance;
  readonly item: PropelItem;
  /** The item's identity at the API (see lookupKey); two records with the same key are the same object. */
  readonly key: string;
  readonly source: SourceData;
  /** The item serialised, when a stage before the batcher needed it (the delta filter hashes it): the batcher sends exactly this. */
  readonly json?: string;
  /** Its record's text hash (SourceRecord.textHash), for the delta state. */
  readonly textHash?: string;
}

/** Items grouped for one bulk request. `items` holds their serialisation, made once. */
export interface Batch {
  readonly kind: 'batch';
  /** 1-based batch number in the run. */
  readonly seq: number;
  readonly records: readonly ItemRecord[];
  readonly items: ItemBytes;
  /** Bytes of the whole request body: envelope, items and commas. */
  readonly bytes: number;
}

/** The API's answer for one item. Flows to results.ndjson. */
export interface ResultEvent {
  readonly kind: 'result';
  readonly prov: Provenance;
  /** The lookup value as sent (a user's sourceId, a usergroup's id), as the API echoes it. */
  readonly key: string;
  readonly action: string;
  readonly id: number | string | null;
  readonly success: boolean;
  readonly error?: string;
  readonly batch: number;
}

/** What the sink receives. */
export type Outcome = ResultEvent | RejectEvent;

/** What a reader emits. */
export type ReadEvent = SourceRecord | RejectEvent;

/** What the source stream emits: with a delta night's fast path, also the records the state knows by their text. */
export type SourceEvent = ReadEvent | KnownRecord;

/** What the delta filter passes on (and, without delta, the mapper and validator). */
export type ItemEvent = ItemRecord | RejectEvent;

/** What the mapper and validator emit: a known record goes on untouched, to the delta filter. */
export type PreparedEvent = ItemEvent | KnownRecord;

export function reject(prov: Provenance, stage: Stage, reason: string, record: unknown, reasons?: readonly string[]): RejectEvent {
  return reasons !== undefined && reasons.length > 1
    ? { kind: 'reject', prov, stage, reason, reasons, record }
    : { kind: 'reject', prov, stage, reason, record };
}

/** `first`, then the other reasons of `all` not equal to it, each once. */
export function reasonsList(first: string, all: readonly string[]): string[] {
  const out = [first];
  for (const r of all) if (!out.includes(r)) out.push(r);
  return out;
}
