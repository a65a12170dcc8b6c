/**
 * A toy source format, whole in one file as a format is meant to be: lines of `key=value`
 * pairs separated by `;` (`.kv`). Registered with one line (`FORMATS.register(toyFormat)`), it is
 * read, checked and resumed by the same generic code as the built-in formats.
 */
import { linesBefore } from '../../src/stages/1-read/formats/line-prefix.js';
import type { TextFormat } from '../../src/stages/1-read/formats/index.js';
import { LineSplitter } from '../../src/stages/1-read/line-splitter.js';
import type { FormatReader, ParsedItem } from '../../src/stages/1-read/reader.js';

function parse(line: number, text: string): ParsedItem {
  const data: Record<string, string> = {};
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { kind: 'reject', line, reason: `"${pair}" is not key=value`, raw: text };
    data[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return { kind: 'record', line, data };
}

function toyReader(): FormatReader {
  const lines = new LineSplitter();
  const items = (each: (take: (line: number, text: string) => void) => void): ParsedItem[] => {
    const out: ParsedItem[] = [];
    each((line, text) => out.push(parse(line, text)));
    return out;
  };
  return {
    write: (text) => items((take) => lines.write(text, take)),
    end: () => items((take) => lines.end(take)),
    finish: () => undefined,
    get line() {
      return lines.line;
    },
  };
}

export const toyFormat: TextFormat = {
  kind: 'text',
  name: 'toy',
  extensions: ['.kv'],
  entryExtensions: ['.kv'],
  encoding: () => 'utf8',
  createReader: () => toyReader(),
  resumePrefix: linesBefore,
  init: { fields: 'columns' },
};
