/**
 * Bytes to text for the readers. Decoders are stateful, so a multi-byte character split across
 * two chunks comes out whole; a leading byte-order mark is dropped.
 */
import iconv from 'iconv-lite';
import { ConfigError } from '../core/errors.js';
import type { CsvEncoding } from '../config/pipeline-spec.js';

export interface TextDecoderLike {
  write(chunk: Buffer): string;
  end(): string;
}

interface IconvStreamingDecoder {
  write(buf: Buffer): string;
  end(): string | undefined;
}

// iconv-lite's streaming decoder factory exists at runtime but is missing from its typings.
const getDecoder = (iconv as unknown as { getDecoder(encoding: string, options?: { stripBOM?: boolean }): IconvStreamingDecoder }).getDecoder;

const ICONV_NAMES: Readonly<Record<CsvEncoding, string>> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  // iconv's utf-16 reads the BOM to pick the byte order (FF FE little, FE FF big endian).
  'utf-16': 'utf-16',
  utf16le: 'utf-16le',
  latin1: 'latin1',
  'windows-1252': 'windows-1252',
};

export function createDecoder(encoding: CsvEncoding = 'utf8'): TextDecoderLike {
  const name = ICONV_NAMES[encoding];
  if (name === undefined) {
    throw new ConfigError(`unknown encoding "${String(encoding)}"; use one of ${Object.keys(ICONV_NAMES).join(', ')}`, {
      key: 'source.csv.encoding',
    });
  }
  const decoder = getDecoder(name, { stripBOM: true });
  return {
    write: (chunk) => decoder.write(chunk),
    end: () => decoder.end() ?? '',
  };
}
