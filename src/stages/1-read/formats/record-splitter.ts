/**
 * A record's own text, found without building the record: what the delta filter can compare
 * night to night before any object is made. A splitter yields one entry per item its format's
 * reader yields (record or read reject), in the same order and with the same line, because it is
 * cut by the reader's own code (the CSV row splitter, the NDJSON line splitter), never by a second
 * parser that could disagree with it.
 */
export interface RecordText {
  /** The 1-based line the record starts on: the reader's item has the same. */
  readonly line: number;
  /** The record's text as the input holds it, without the line break that ends it. */
  readonly text: string;
}

export interface RecordSplitter {
  /** Feed the next piece of decoded text; returns the records it completed. */
  write(text: string): RecordText[];
  /** No more text: the last records. Throws where the reader's `end()` would. */
  end(): RecordText[];
  /** After the records of `end()` were taken: throws what the reader's `finish()` would (a failure held back behind good records). */
  finish(): void;
}
