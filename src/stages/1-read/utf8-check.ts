/**
 * What to do with bytes that are not UTF-8 in an input read as UTF-8: never send them as U+FFFD.
 * In the first 64 KiB the whole input is taken to be in another encoding: a configuration error
 * (exit 2) before anything of it is sent. Later, only the records holding such bytes are rejected
 * at the read stage (an export that is UTF-8 but for a few damaged rows).
 */
import { holdsChar, type ParsedItem } from './reader.js';

/** Invalid bytes within this many bytes of an input's start make it a configuration error. */
export const ENCODING_CHECK_BYTES = 64 * 1024;

/**
 * Index of the first byte of `buf` that does not start or continue a valid UTF-8 sequence, or -1.
 * A sequence cut off by the end of `buf` counts as invalid only `atEnd`.
 */
export function firstInvalidUtf8(buf: Uint8Array, atEnd: boolean): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let needs: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) needs = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      needs = 2;
      if (b === 0xe0) min = 0xa0;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      needs = 3;
      if (b === 0xf0) min = 0x90;
      if (b === 0xf4) max = 0x8f;
    } else return i;
    for (let k = 1; k <= needs; k++) {
      if (i + k >= n) return atEnd ? i : -1;
      const c = buf[i + k] as number;
      if (k === 1 ? c < min || c > max : c < 0x80 || c > 0xbf) return i;
    }
    i += needs + 1;
  }
  return -1;
}

/** The encoding the bytes seem to be in: UTF-16 by its byte-order mark, else the usual Windows export. */
export function guessEncoding(head: Uint8Array): string {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return 'utf-16';
  return 'windows-1252';
}

/** The words for it, the same in the configuration error and in a reject. */
export function notUtf8Reason(byte: number, guess: string, format: { readonly name: string; readonly encodingKey?: string }): string {
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  // A format whose encoding can be set says where; the others must be UTF-8.
  return format.encodingKey !== undefined
    ? `not valid UTF-8 (byte ${hex}); the file looks like ${guess}: set ${format.encodingKey}: ${guess}`
    : `not valid UTF-8 (byte ${hex}), which ${format.name.toUpperCase()} must be; the file looks like ${guess}: convert it to UTF-8`;
}

/**
 * Records holding U+FFFD, in an input where bytes that are not UTF-8 were found, become read
 * rejects. (A U+FFFD written as valid UTF-8 in such an input is rejected too: it cannot be told
 * apart, and the input is damaged anyway.)
 */
export function rejectReplaced(items: ParsedItem[], reason: string): ParsedItem[] {
  return items.map((item) => {
    // A known record's text decodes as a version Propel took, yet here its bytes may be what was replaced: read it after all.
    const it =
      item.kind === 'known' && item.text.includes('\uFFFD')
        ? { ...item.from.reread(item.text, item.line, item.textHash), line: item.line }
        : item;
    return it.kind === 'record' && holdsChar(it.data, '\uFFFD') ? { kind: 'reject', line: it.line, reason, raw: it.data } : it;
  });
}
