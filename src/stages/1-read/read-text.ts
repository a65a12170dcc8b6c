/**
 * One text input's bytes (already unpacked) to parsed items: decode, then the format's reader.
 * Read as UTF-8, the first 64 KiB are held back and checked before any of its records goes out,
 * so an input in another encoding stops the run (exit 2) with nothing of it sent.
 */
import { ConfigError, ERR } from '../../core/errors.js';
import type { SourceSpec } from '../../config/pipeline-spec.js';
import { createDecoder, type TextDecoderLike } from './decode.js';
import type { TextFormat } from './formats/index.js';
import { countLineBreaks, type FormatReader, type ParsedItem, type ReaderContext } from './reader.js';
import { NulCheck } from './nul-check.js';
import { checkDepth } from './depth-check.js';
import { ENCODING_CHECK_BYTES, guessEncoding, notUtf8Reason, rejectReplaced } from './utf8-check.js';

/** The first `bytes` bytes as one chunk, then the rest as it comes. */
async function* holdHead(source: AsyncIterable<Buffer>, bytes: number): AsyncGenerator<Buffer> {
  let head: Buffer[] | null = [];
  let length = 0;
  const whole = (parts: Buffer[]): Buffer => (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
  try {
    for await (const chunk of source) {
      if (head === null) {
        yield chunk;
        continue;
      }
      head.push(chunk);
      length += chunk.length;
      if (length >= bytes) {
        const first = whole(head);
        head = null;
        yield first;
      }
    }
  } catch (e) {
    // A break (corrupt gzip) inside the head: the records before it still go out first.
    if (head !== null && length > 0) {
      const first = whole(head);
      head = null;
      yield first;
    }
    throw e;
  }
  if (head !== null && length > 0) yield whole(head);
}

/** Watches a UTF-8 decoder: throws for bad bytes in the head, else says how to reject records holding them. */
class EncodingCheck {
  private first: Buffer | undefined;
  /** Set once bytes that are not UTF-8 were found past the head: the reject reason. */
  reason: string | undefined;

  constructor(
    private readonly decoder: TextDecoderLike,
    private readonly format: TextFormat,
    private readonly where: ReaderContext,
  ) {}

  /** Call after each decoder write (and its end); `chunk` is what was written. */
  afterWrite(chunk: Buffer | undefined): void {
    this.first ??= chunk;
    const bad = this.decoder.invalid;
    if (bad === undefined || this.reason !== undefined) return;
    const guess = guessEncoding(this.first ?? Buffer.alloc(0));
    const reason = notUtf8Reason(bad.byte, guess, this.format);
    if (bad.offset < ENCODING_CHECK_BYTES && this.first !== undefined) {
      const line = 1 + countLineBreaks(this.first.subarray(0, bad.offset).toString('utf8'));
      throw new ConfigError(
        reason,
        { ...this.where, line, ...(this.format.encodingKey !== undefined ? { key: this.format.encodingKey } : {}) },
        ERR.SOURCE_ENCODING,
      );
    }
    this.reason = reason;
  }

  check(items: ParsedItem[]): ParsedItem[] {
    return this.reason === undefined || items.length === 0 ? items : rejectReplaced(items, this.reason);
  }
}

export async function* readText(
  bytes: AsyncIterable<Buffer>,
  format: TextFormat,
  reader: FormatReader,
  spec: SourceSpec,
  where: ReaderContext,
): AsyncGenerator<ParsedItem[]> {
  const decoder = createDecoder(format.encoding(spec));
  const check = decoder.strict ? new EncodingCheck(decoder, format, where) : undefined;
  const source = check !== undefined ? holdHead(bytes, ENCODING_CHECK_BYTES) : bytes;
  const nul = new NulCheck();
  // Depth before the NUL check, whose look through a record recurses.
  const shallow = format.nests === true ? checkDepth : (items: ParsedItem[]): ParsedItem[] => items;
  const checked = (items: ParsedItem[]): ParsedItem[] => nul.check(shallow(check?.check(items) ?? items));
  for await (const chunk of source) {
    const text = decoder.write(chunk);
    check?.afterWrite(chunk);
    nul.watch(text);
    const items = reader.write(text);
    if (items.length > 0) yield checked(items);
  }
  const text = decoder.end();
  check?.afterWrite(undefined);
  nul.watch(text);
  const last = reader.write(text).concat(reader.end());
  if (last.length > 0) yield checked(last);
  reader.finish();
}
