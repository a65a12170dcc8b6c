/**
 * Bytes to text for the readers. Decoders are stateful, so a multi-byte character split across
 * two chunks comes out whole; a leading byte-order mark is dropped.
 *
 * UTF-8 (the default) is decoded strictly: a byte that is not UTF-8 would otherwise become U+FFFD
 * and be sent to Propel as if it were data. The decoder notes where the first one is; the source
 * stream turns that into a configuration error (early in the input) or rejects the records
 * holding one (later), see `utf8-check.ts`.
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import type iconvLite from 'iconv-lite';
import { ConfigError } from '../../core/errors.js';
import type { CsvEncoding } from '../../config/pipeline-spec.js';
import { firstInvalidUtf8 } from './utf8-check.js';

export interface TextDecoderLike {
  write(chunk: Buffer): string;
  end(): string;
  /** True for UTF-8: bytes that are not UTF-8 are noted in `invalid` (they still come out as U+FFFD). */
  readonly strict: boolean;
  /** UTF-8 only: the first byte that is not UTF-8 (offset from the input's start), once seen. */
  readonly invalid?: InvalidByte | undefined;
}

export interface InvalidByte {
  readonly offset: number;
  readonly byte: number;
}

interface IconvStreamingDecoder {
  write(buf: Buffer): string;
  end(): string | undefined;
}

type GetDecoder = (encoding: string, options?: { stripBOM?: boolean }) => IconvStreamingDecoder;

/**
 * iconv-lite's streaming decoder factory (it exists at runtime but is missing from its typings).
 * Loaded on the first input that is not UTF-8: its tables are ~7 MB of RSS that a UTF-8 run does
 * not need, and `require` because `createDecoder` is synchronous (iconv-lite is CommonJS).
 */
let getDecoder: GetDecoder | undefined;
function iconvDecoder(encoding: string): IconvStreamingDecoder {
  getDecoder ??= (createRequire(import.meta.url)('iconv-lite') as typeof iconvLite & { getDecoder: GetDecoder }).getDecoder;
  return getDecoder(encoding, { stripBOM: true });
}

const ICONV_NAMES: Readonly<Record<CsvEncoding, string>> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  // iconv's utf-16 reads the BOM to pick the byte order (FF FE little, FE FF big endian).
  'utf-16': 'utf-16',
  utf16le: 'utf-16le',
  latin1: 'latin1',
  'windows-1252': 'windows-1252',
};

/** Length of `buf` without a multi-byte sequence still incomplete at its end (it may go on in the next chunk). */
function completeLength(buf: Buffer): number {
  let j = buf.length - 1;
  // Back over at most three continuation bytes (10xxxxxx) to the byte that may lead them.
  while (j >= 0 && buf.length - j <= 3 && ((buf[j] as number) & 0xc0) === 0x80) j--;
  if (j < 0) return buf.length;
  const lead = buf[j] as number;
  const needs = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 1;
  return lead >= 0xc2 && buf.length - j < needs ? j : buf.length;
}

class Utf8Decoder implements TextDecoderLike {
  readonly strict = true;
  invalid: InvalidByte | undefined;
  private tail: Buffer | null = null;
  private offset = 0;
  private started = false;

  write(chunk: Buffer): string {
    const buf = this.tail === null ? chunk : Buffer.concat([this.tail, chunk]);
    const cut = completeLength(buf);
    this.tail = cut === buf.length ? null : Buffer.from(buf.subarray(cut));
    return this.decode(cut === buf.length ? buf : buf.subarray(0, cut));
  }

  end(): string {
    const tail = this.tail;
    this.tail = null;
    return tail === null ? '' : this.decode(tail, true);
  }

  private decode(body: Buffer, atEnd = false): string {
    // isUtf8 is native and fast; the byte-by-byte search runs only on a chunk that failed it.
    if (this.invalid === undefined && body.length > 0 && !isUtf8(body)) {
      const i = firstInvalidUtf8(body, atEnd);
      if (i !== -1) this.invalid = { offset: this.offset + i, byte: body[i] as number };
    }
    this.offset += body.length;
    let text = body.toString('utf8');
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }
}

export function createDecoder(encoding: CsvEncoding = 'utf8'): TextDecoderLike {
  const name = ICONV_NAMES[encoding];
  if (name === undefined) {
    throw new ConfigError(`unknown encoding "${String(encoding)}"; use one of ${Object.keys(ICONV_NAMES).join(', ')}`, {
      key: 'source.csv.encoding',
    });
  }
  if (name === 'utf8') return new Utf8Decoder();
  const decoder = iconvDecoder(name);
  return {
    strict: false,
    write: (chunk) => decoder.write(chunk),
    end: () => decoder.end() ?? '',
  };
}
