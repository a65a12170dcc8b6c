/**
 * CSV as an incremental, stream-free reader: decoded text in, rows with the line they start on
 * out. Field syntax (quotes, escapes, delimiter, trim) is fast-csv's own row parser; this file
 * adds what fast-csv's stream does not give: line numbers that count newlines inside quoted
 * fields, leading-line skipping by physical line, comment lines, and ragged rows as rejects.
 */
import { ParserOptions } from '@fast-csv/parse';
import { RowParser, Scanner } from '@fast-csv/parse/build/src/parser/index.js';
import { SourceError } from '../core/errors.js';
import type { CsvOptions } from '../config/pipeline-spec.js';
import type { SourceData } from '../core/record.js';
import { countLineBreaks, type FormatReader, type ParsedItem, type ReaderContext } from './reader.js';

export interface CsvRow {
  readonly fields: string[];
  /** 1-based line where the row starts. */
  readonly line: number;
}

/**
 * A record still open after this many characters is taken for an unterminated quote: without
 * the cap one stray quote would buffer (and rescan) the whole rest of the file.
 */
export const MAX_PENDING_CHARS = 16 * 1024 * 1024;

const CR = 13;
const LF = 10;

/**
 * Index just past the first line break at or after `from`, or -1 when there is none yet.
 * A CR at the very end of the text is not a break while more data may come: it may be half a CRLF.
 */
function indexAfterLineBreak(text: string, from: number, hasMoreData: boolean): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) return i + 1;
    if (c === CR) {
      if (i + 1 < text.length) return text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      return hasMoreData ? -1 : i + 1;
    }
  }
  return -1;
}

/** Splits text into CSV rows (fields as strings), keeping count of physical lines. */
export class CsvRowSplitter {
  private readonly parserOptions: ParserOptions;
  private readonly rowParser: RowParser;
  private readonly comment: string | undefined;
  private linesToSkip: number;
  private pending = '';
  /** Line at which `pending` starts. */
  private lineNo = 1;
  private readonly ctx: ReaderContext;
  /** A syntax error found after some good rows of the same chunk: those go out first, it is thrown next. */
  private failure: SourceError | null = null;

  constructor(options: CsvOptions, ctx: ReaderContext) {
    this.ctx = ctx;
    this.parserOptions = new ParserOptions({
      delimiter: options.delimiter ?? ',',
      quote: options.quote ?? '"',
      ...(options.escape !== undefined ? { escape: options.escape } : {}),
      trim: options.trim ?? false,
    });
    this.rowParser = new RowParser(this.parserOptions);
    this.comment = options.comment;
    this.linesToSkip = options.skipLines ?? 0;
  }

  get line(): number {
    return this.lineNo;
  }

  write(text: string): CsvRow[] {
    if (this.failure !== null) throw this.failure;
    this.pending += text;
    const rows = this.drain(true);
    if (this.pending.length > MAX_PENDING_CHARS) {
      throw new SourceError(
        `a record starting here is still open after ${MAX_PENDING_CHARS} characters; is a quote left open?`,
        { ...this.ctx, line: this.lineNo },
        'ETL_SOURCE_CSV',
      );
    }
    return rows;
  }

  end(): CsvRow[] {
    if (this.failure !== null) throw this.failure;
    const rows = this.drain(false);
    this.pending = '';
    return rows;
  }

  /** Throws the syntax error that the last `end()` held back behind its good rows. */
  finish(): void {
    if (this.failure !== null) throw this.failure;
  }

  private drain(hasMoreData: boolean): CsvRow[] {
    const rows: CsvRow[] = [];
    if (!this.skipLeadingLines(hasMoreData)) return rows;
    const scanner = new Scanner({ line: this.pending, parserOptions: this.parserOptions, hasMoreData });
    for (;;) {
      if (this.comment !== undefined && scanner.line.startsWith(this.comment)) {
        const next = indexAfterLineBreak(scanner.line, 0, hasMoreData);
        if (next === -1 && hasMoreData) break;
        scanner.advanceTo(next === -1 ? scanner.line.length : next).truncateToCursor();
        this.lineNo += next === -1 ? 0 : 1;
        continue;
      }
      // Only whitespace left: either the file's trailing blank space or the start of a row still coming.
      if (scanner.nextNonSpaceToken === null) break;
      const before = scanner.line;
      let fields: string[] | null;
      try {
        fields = this.rowParser.parse(scanner);
      } catch (e) {
        if (rows.length === 0) throw this.syntaxError(e);
        this.failure = this.syntaxError(e);
        return rows;
      }
      if (fields === null) break;
      const startLine = this.lineNo;
      this.lineNo += countLineBreaks(before.slice(0, before.length - scanner.line.length));
      // fast-csv gives a blank (or whitespace-only) line as a row without fields.
      if (fields.length === 0) continue;
      rows.push({ fields, line: startLine });
    }
    this.pending = hasMoreData ? scanner.line : '';
    return rows;
  }

  /** Drops `skipLines` physical lines; false while they are not all here yet. */
  private skipLeadingLines(hasMoreData: boolean): boolean {
    while (this.linesToSkip > 0) {
      const next = indexAfterLineBreak(this.pending, 0, hasMoreData);
      if (next === -1) {
        if (hasMoreData) return false;
        this.pending = '';
        this.linesToSkip = 0;
        return true;
      }
      this.pending = this.pending.slice(next);
      this.lineNo++;
      this.linesToSkip--;
    }
    return true;
  }

  private syntaxError(e: unknown): SourceError {
    const raw = e instanceof Error ? e.message : String(e);
    // fast-csv quotes the whole rest of the input in this message; say it in a line instead.
    const message = raw.startsWith('Parse Error: missing closing')
      ? `unterminated quoted field: the file ends before the closing ${this.parserOptions.quote ?? '"'}`
      : `malformed CSV: ${raw.replace(/^Parse Error: /, '')}`;
    return new SourceError(message, { ...this.ctx, line: this.lineNo }, 'ETL_SOURCE_CSV', { cause: e });
  }
}

/** Checks header names: each must be non-empty and unique, or records would silently lose columns. */
export function checkHeaderNames(names: readonly string[], ctx: ReaderContext, line?: number): string[] {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const where = { ...ctx, ...(line !== undefined ? { line } : {}) };
    if (name === '') throw new SourceError(`column ${i + 1} of the header has no name`, where, 'ETL_SOURCE_CSV_HEADER');
    // A column named __proto__ would set the record's prototype instead of a field.
    if (name === '__proto__') throw new SourceError(`column ${i + 1} of the header is named __proto__, which is not allowed`, where, 'ETL_SOURCE_CSV_HEADER');
    if (seen.has(name)) throw new SourceError(`the header names column "${name}" twice`, where, 'ETL_SOURCE_CSV_HEADER');
    seen.add(name);
  });
  return [...names];
}

/** CSV rows to records keyed by header name; a row whose width differs from the header is a read reject. */
export class CsvReader implements FormatReader {
  private readonly splitter: CsvRowSplitter;
  private readonly ctx: ReaderContext;
  /** Column names; null until the header line is read, or for ever when `headers: false`. */
  private headers: string[] | null;
  private readonly headerLine: boolean;

  constructor(options: CsvOptions, ctx: ReaderContext) {
    this.ctx = ctx;
    this.splitter = new CsvRowSplitter(options, ctx);
    const h = options.headers ?? true;
    this.headers = Array.isArray(h) ? checkHeaderNames(h, ctx) : null;
    this.headerLine = h === true;
  }

  get line(): number {
    return this.splitter.line;
  }

  write(text: string): ParsedItem[] {
    return this.toItems(this.splitter.write(text));
  }

  end(): ParsedItem[] {
    return this.toItems(this.splitter.end());
  }

  finish(): void {
    this.splitter.finish();
  }

  private toItems(rows: CsvRow[]): ParsedItem[] {
    const items: ParsedItem[] = [];
    for (const row of rows) {
      if (this.headers === null && this.headerLine) {
        // Header names are trimmed always: a stray space would make a column silently unmappable.
        this.headers = checkHeaderNames(row.fields.map((f) => f.trim()), this.ctx, row.line);
        continue;
      }
      items.push(this.toItem(row));
    }
    return items;
  }

  private toItem(row: CsvRow): ParsedItem {
    const { fields, line } = row;
    const headers = this.headers;
    const data: Record<string, string> = {};
    if (headers === null) {
      // `headers: false`: no names at all, so columns are keyed by 0-based position.
      for (let i = 0; i < fields.length; i++) data[String(i)] = fields[i] as string;
      return { kind: 'record', line, data: data as SourceData };
    }
    if (fields.length !== headers.length) {
      return { kind: 'reject', line, reason: `row has ${fields.length} fields, header has ${headers.length}`, raw: fields };
    }
    for (let i = 0; i < headers.length; i++) data[headers[i] as string] = fields[i] as string;
    return { kind: 'record', line, data };
  }
}
