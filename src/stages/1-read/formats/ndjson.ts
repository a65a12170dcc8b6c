import type { SourceSpec } from '../../../config/pipeline-spec.js';
import { LineSplitter } from '../line-splitter.js';
import type { ReaderContext } from '../reader.js';
import { lineTooLong, maxRecordChars } from '../record-size.js';
import { NdjsonReader } from '../ndjson-reader.js';
import { linesBefore } from './line-prefix.js';
import type { RecordSplitter, RecordText } from './record-splitter.js';
import type { TextFormat } from './source-format.js';

/** Each non-blank line is one item of the reader (a record, or a reject when it does not parse): its text is the record's own. */
function ndjsonRecords(spec: SourceSpec, where: ReaderContext): RecordSplitter {
  const lines = new LineSplitter(maxRecordChars(spec), lineTooLong(where));
  const collect = (each: (take: (line: number, text: string) => void) => void): RecordText[] => {
    const out: RecordText[] = [];
    each((line, text) => out.push({ line, text }));
    return out;
  };
  return {
    write: (text) => collect((take) => lines.write(text, take)),
    end: () => collect((take) => lines.end(take)),
    finish: () => undefined,
  };
}

export const ndjsonFormat: TextFormat = {
  kind: 'text',
  name: 'ndjson',
  extensions: ['.ndjson', '.jsonl'],
  entryExtensions: ['.ndjson', '.jsonl'],
  encoding: () => 'utf8',
  nests: true,
  createReader: (spec, where) => new NdjsonReader(where, maxRecordChars(spec)),
  recordBytes: ndjsonRecords,
  resumePrefix: linesBefore,
  init: { fields: 'paths' },
};
