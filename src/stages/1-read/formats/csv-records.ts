/**
 * CSV records' own text, cut by the reader's own row splitter (so quoting, escapes, comments,
 * skipped lines and blank lines are decided exactly as the reader decides them), less the
 * header row when the file has one: one text per item the CsvReader yields.
 */
import type { CsvOptions } from '../../../config/pipeline-spec.js';
import { CsvRowSplitter, type CsvRow } from '../csv-reader.js';
import type { ReaderContext } from '../reader.js';
import type { RecordSplitter, RecordText } from './record-splitter.js';

export class CsvRecords implements RecordSplitter {
  private readonly splitter: CsvRowSplitter;
  private headerPending: boolean;

  constructor(options: CsvOptions, where: ReaderContext, maxChars?: number) {
    this.splitter = new CsvRowSplitter(options, where, { keepRaw: true, ...(maxChars !== undefined ? { maxChars } : {}) });
    this.headerPending = (options.headers ?? true) === true;
  }

  write(text: string): RecordText[] {
    return this.texts(this.splitter.write(text));
  }

  end(): RecordText[] {
    return this.texts(this.splitter.end());
  }

  finish(): void {
    this.splitter.finish();
  }

  private texts(rows: readonly CsvRow[]): RecordText[] {
    const out: RecordText[] = [];
    for (const row of rows) {
      if (this.headerPending) {
        this.headerPending = false;
        continue;
      }
      out.push({ line: row.line, text: row.raw ?? '' });
    }
    return out;
  }
}
