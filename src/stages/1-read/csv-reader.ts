/**
 * CSV as an incremental, stream-free reader: decoded text in, rows with the line they start on
 * out. Field syntax (quotes, escapes, delimiter, trim) is fast-csv's own row parser, with a
 * fast scanner for plain rows in front of it (see scanRows); this file
 * adds what fast-csv's stream does not give: line numbers that count newlines inside quoted
 * fields, leading-line skipping by physical line, comment lines, and ragged rows as rejects.
 */
import { ParserOptions } from '@fast-csv/parse';
import { RowParser, Scanner } from '@fast-csv/parse/build/src/parser/index.js';
import { ERR, SourceError } from '../../core/errors.js';
import type { CsvOptions } from '../../config/pipeline-spec.js';
import { countLineBreaks, type FormatReader, type ParsedItem, type ReaderContext } from './reader.js';
import { DEFAULT_MAX_RECORD_CHARS } from './record-size.js';
import { textHash, type KnownBytes } from '../../core/known-bytes.js';
import type { Reread } from '../../core/record.js';
import { Columns, FieldRow } from '../../core/field-row.js';

export interface CsvRow {
  readonly fields: string[];
  /** 1-based line where the row starts. */
  readonly line: number;
  /** The row's own text, without its line break: only when the splitter was asked to keep it. */
  readonly raw?: string;
  /** Its text's hash, when the splitter's `look` made it (a delta night). */
  readonly hash?: string;
  /** Set when `look` found the row known: its fields were never cut (`fields` is empty). */
  readonly slot?: number;
}

/**
 * A delta night's look at a row's text before its fields are cut (CsvReader): a known row (its
 * `slot` set, no fields), the text's hash when it is not known, or undefined when it cannot tell
 * yet (the header is not read).
 */
export type RowLook = (raw: string, line: number) => CsvRow | string | undefined;

const NO_FIELDS: string[] = [];

/**
 * A record still open after this many characters is taken for an unterminated quote: without
 * the cap one stray quote would buffer (and rescan) the whole rest of the file.
 */
export const MAX_PENDING_CHARS = DEFAULT_MAX_RECORD_CHARS;

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

/** Where `s` next occurs in `text` at or after `from`; the text's length when nowhere. */
function indexOrEnd(text: string, s: string, from: number): number {
  const at = text.indexOf(s, from);
  return at === -1 ? text.length : at;
}

/** Where the fast scanner stopped: `more` = the rest is an incomplete row; `bail` = fast-csv takes over from `pos`. */
interface ScanState {
  pos: number;
  line: number;
  stop: 'done' | 'more' | 'bail' | 'unterminated';
}

const WHITESPACE = /\s/;

/** Field bounds of the row being scanned, as (start, end, escaped) triples; reused for every row. */
const bounds: number[] = [];

/**
 * The row's fields, cut from a copy of the row rather than from the chunk: V8 slices share their
 * parent string, so one record kept for long (a reject waiting, a retry) would otherwise pin its
 * whole 128 KB chunk, and memory would grow with the input.
 */
function rowFields(text: string, rowStart: number, rowEnd: number, quoteChar: string): string[] {
  // Concatenating makes a new string; slicing it flattens that once into a row-sized copy.
  const row = text.slice(rowStart, rowEnd) + '\n';
  const fields = new Array<string>(bounds.length / 3);
  for (let k = 0, f = 0; k < bounds.length; k += 3, f++) {
    const value = row.slice((bounds[k] as number) - rowStart, (bounds[k + 1] as number) - rowStart);
    fields[f] = bounds[k + 2] === 1 ? value.replaceAll(quoteChar + quoteChar, quoteChar) : value;
  }
  return fields;
}

/**
 * The hot path: plain RFC 4180 rows (single-character delimiter and quote, the quote doubled as
 * its own escape, no trimming) scanned with charCodeAt/indexOf and sliced, instead of fast-csv's
 * token objects and character arrays (the largest cost of a CSV run when profiled). Whatever
 * fast-csv treats in its own way (whitespace at a row's start or before/after a quoted field, a
 * quote inside an unquoted field, text after a closing quote, comment lines) makes it stop with
 * `bail` at the start of that row, and the splitter hands the rest of the text to fast-csv, so
 * the rows produced are the same either way.
 */
function scanRows(
  text: string,
  delimiter: number,
  quote: number,
  quoteChar: string,
  comment: string | undefined,
  hasMoreData: boolean,
  rows: CsvRow[],
  st: ScanState,
  keepRaw: boolean,
  look: RowLook | undefined,
): void {
  const n = text.length;
  let i = st.pos;
  let line = st.line;
  // Where the next quote and the next CR are (n: none): a row before both ends at its LF.
  let nextQuote = -1;
  let nextCr = -1;
  rowLoop: while (i < n) {
    const rowStart = i;
    const rowLine = line;
    let c = text.charCodeAt(i);
    if (c === LF || c === CR) {
      // A blank line: fast-csv gives no fields for it, so it is skipped.
      if (c === CR) {
        if (i + 1 === n && hasMoreData) break;
        i += i + 1 < n && text.charCodeAt(i + 1) === LF ? 2 : 1;
      } else {
        i++;
      }
      line++;
      continue;
    }
    if (comment !== undefined && text.startsWith(comment, i)) {
      st.stop = 'bail';
      break;
    }
    if ((c <= 32 || c >= 0xa0) && WHITESPACE.test(text.charAt(i))) {
      st.stop = 'bail';
      break;
    }
    let hash: string | undefined;
    if (look !== undefined) {
      // A delta night: a row with no quote and no lone CR is its text up to the line break; the
      // state may know it, and then no field of it is cut.
      const lf = text.indexOf('\n', i);
      if (lf !== -1) {
        // None is n, not -1 >>> 0: 2^32 - 1 is no small integer, and V8's optimised loop deoptimised on it.
        if (nextQuote < i) nextQuote = indexOrEnd(text, quoteChar, i);
        if (nextCr < i) nextCr = indexOrEnd(text, '\r', i);
        const end = nextCr === lf - 1 ? lf - 1 : lf;
        if (nextQuote > lf && (nextCr > lf || nextCr === end)) {
          const seen = look(text.slice(rowStart, end), rowLine);
          if (typeof seen === 'object') {
            rows.push(seen);
            i = lf + 1;
            line++;
            continue;
          }
          hash = seen;
        }
      }
    }
    bounds.length = 0;
    for (;;) {
      // One field starting at i: its content's [start, end) and whether it holds doubled quotes.
      if (i < n && text.charCodeAt(i) === quote) {
        const fieldStart = i;
        let escaped = 0;
        let from = i + 1;
        for (;;) {
          const q = text.indexOf(quoteChar, from);
          if (q === -1) {
            st.stop = hasMoreData ? 'more' : 'unterminated';
            i = rowStart;
            line = rowLine;
            break rowLoop;
          }
          if (q + 1 < n && text.charCodeAt(q + 1) === quote) {
            escaped = 1;
            from = q + 2;
            continue;
          }
          if (q + 1 === n && hasMoreData) {
            // Maybe the first half of a doubled quote: wait for the next character.
            st.stop = 'more';
            i = rowStart;
            line = rowLine;
            break rowLoop;
          }
          bounds.push(fieldStart + 1, q, escaped);
          i = q + 1;
          break;
        }
        // Line breaks inside quotes still count as lines: `line` is where each row starts.
        line += countLineBreaks(text.slice(fieldStart, i));
        c = i < n ? text.charCodeAt(i) : -1;
        if (c !== delimiter && c !== LF && c !== CR && c !== -1) {
          // Text after the closing quote: fast-csv allows spaces there and words the error otherwise.
          st.stop = 'bail';
          i = rowStart;
          line = rowLine;
          break rowLoop;
        }
      } else {
        const start = i;
        while (i < n) {
          c = text.charCodeAt(i);
          if (c === delimiter || c === LF || c === CR) break;
          if (c === quote) {
            st.stop = 'bail';
            i = rowStart;
            line = rowLine;
            break rowLoop;
          }
          i++;
        }
        bounds.push(start, i, 0);
        c = i < n ? c : -1;
      }
      if (c === delimiter) {
        i++;
        continue;
      }
      if (c === -1) {
        if (hasMoreData) {
          st.stop = 'more';
          i = rowStart;
          line = rowLine;
          break rowLoop;
        }
        const fields = rowFields(text, rowStart, i, quoteChar);
        rows.push(keepRaw ? { fields, line: rowLine, raw: text.slice(rowStart, i) } : { fields, line: rowLine });
        break;
      }
      const rowEnd = i;
      // A line break ends the row; a CR at the very end may be half a CRLF still coming.
      if (c === CR) {
        if (i + 1 === n && hasMoreData) {
          st.stop = 'more';
          i = rowStart;
          line = rowLine;
          break rowLoop;
        }
        i += i + 1 < n && text.charCodeAt(i + 1) === LF ? 2 : 1;
      } else {
        i++;
      }
      line++;
      const fields = rowFields(text, rowStart, rowEnd, quoteChar);
      if (hash !== undefined) rows.push({ fields, line: rowLine, raw: text.slice(rowStart, rowEnd), hash });
      else rows.push(keepRaw ? { fields, line: rowLine, raw: text.slice(rowStart, rowEnd) } : { fields, line: rowLine });
      break;
    }
  }
  st.pos = i;
  st.line = line;
  if (st.stop === 'done' && i < n) st.stop = 'more';
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
  /** Delimiter and quote as char codes when the options allow the fast scanner, else null. */
  private readonly fast: { delimiter: number; quote: number; quoteChar: string } | null;
  private readonly scan: ScanState = { pos: 0, line: 1, stop: 'done' };
  /** Each row also carries its own text (`raw`): for the delta filter's record splitter, not for reading. */
  private readonly keepRaw: boolean;

  /** A record still open after this many characters stops the input (source.maxRecordSize). */
  private readonly maxChars: number;

  private readonly look: RowLook | undefined;

  constructor(options: CsvOptions, ctx: ReaderContext, opts: { keepRaw?: boolean; maxChars?: number; look?: RowLook } = {}) {
    this.look = opts.look;
    this.ctx = ctx;
    this.maxChars = opts.maxChars ?? MAX_PENDING_CHARS;
    this.keepRaw = opts.keepRaw === true;
    this.parserOptions = new ParserOptions({
      delimiter: options.delimiter ?? ',',
      quote: options.quote ?? '"',
      ...(options.escape !== undefined ? { escape: options.escape } : {}),
      trim: options.trim ?? false,
    });
    this.rowParser = new RowParser(this.parserOptions);
    this.comment = options.comment;
    this.linesToSkip = options.skipLines ?? 0;
    const delimiter = options.delimiter ?? ',';
    const quote = options.quote ?? '"';
    const plain =
      options.trim !== true &&
      (options.escape === undefined || options.escape === quote) &&
      delimiter.length === 1 &&
      quote.length === 1 &&
      delimiter !== quote;
    this.fast = plain ? { delimiter: delimiter.charCodeAt(0), quote: quote.charCodeAt(0), quoteChar: quote } : null;
  }

  get line(): number {
    return this.lineNo;
  }

  write(text: string): CsvRow[] {
    if (this.failure !== null) throw this.failure;
    this.pending += text;
    const rows = this.drain(true);
    if (this.pending.length > this.maxChars) {
      throw new SourceError(
        `a record starting here is still open after ${this.maxChars} characters; is a quote left open? (source.maxRecordSize raises the cap)`,
        { ...this.ctx, line: this.lineNo },
        ERR.SOURCE_CSV,
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
    if (this.fast !== null) {
      const st = this.scan;
      st.pos = 0;
      st.line = this.lineNo;
      st.stop = 'done';
      scanRows(
        this.pending,
        this.fast.delimiter,
        this.fast.quote,
        this.fast.quoteChar,
        this.comment,
        hasMoreData,
        rows,
        st,
        this.keepRaw,
        this.look,
      );
      this.lineNo = st.line;
      const stop = st.stop as ScanState['stop'];
      if (stop === 'unterminated') {
        const error = this.syntaxError(new Error('Parse Error: missing closing quote'));
        if (rows.length === 0) throw error;
        this.failure = error;
        return rows;
      }
      if (stop !== 'bail') {
        this.pending = hasMoreData ? this.pending.slice(st.pos) : '';
        return rows;
      }
      // Something fast-csv reads in its own way: it takes over from the start of that row.
      this.pending = this.pending.slice(st.pos);
    }
    return this.drainWithFastCsv(hasMoreData, rows);
  }

  private drainWithFastCsv(hasMoreData: boolean, rows: CsvRow[]): CsvRow[] {
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
      const consumed = before.slice(0, before.length - scanner.line.length);
      this.lineNo += countLineBreaks(consumed);
      // fast-csv gives a blank (or whitespace-only) line as a row without fields.
      if (fields.length === 0) continue;
      rows.push(this.keepRaw ? { fields, line: startLine, raw: consumed.replace(/(\r\n|\n|\r)$/, '') } : { fields, line: startLine });
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
    return new SourceError(message, { ...this.ctx, line: this.lineNo }, ERR.SOURCE_CSV, { cause: e });
  }
}

/** Checks header names: each must be non-empty and unique, or records would silently lose columns. */
export function checkHeaderNames(names: readonly string[], ctx: ReaderContext, line?: number): string[] {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const where = { ...ctx, ...(line !== undefined ? { line } : {}) };
    if (name === '') throw new SourceError(`column ${i + 1} of the header has no name`, where, ERR.SOURCE_CSV_HEADER);
    // A column named __proto__ would set the record's prototype instead of a field.
    if (name === '__proto__')
      throw new SourceError(`column ${i + 1} of the header is named __proto__, which is not allowed`, where, ERR.SOURCE_CSV_HEADER);
    if (seen.has(name)) throw new SourceError(`the header names column "${name}" twice`, where, ERR.SOURCE_CSV_HEADER);
    seen.add(name);
  });
  return [...names];
}

/**
 * CSV rows to records, their fields by position under the input's header (FieldRow); a row whose
 * width differs from the header is a read reject. Given `known` (a delta night), each row's own
 * text is hashed under the fingerprint and this input's header, and a row the state knows is a
 * `known` item, never built.
 */
export class CsvReader implements FormatReader, Reread {
  private readonly splitter: CsvRowSplitter;
  private readonly ctx: ReaderContext;
  /**
   * The header as the records carry it: one per input, so a mapping resolves its positions once
   * per input. Its names are null until the header line is read, or for ever when `headers: false`.
   */
  private columns: Columns;
  private readonly headerLine: boolean;
  /** What a row's text is hashed under: the fingerprint and this input's header, themselves hashed once. */
  private prefix: string | undefined;

  constructor(
    private readonly options: CsvOptions,
    ctx: ReaderContext,
    maxChars?: number,
    private readonly known?: KnownBytes,
  ) {
    this.ctx = ctx;
    const h = options.headers ?? true;
    this.columns = new Columns(Array.isArray(h) ? checkHeaderNames(h, ctx) : null);
    this.headerLine = h === true;
    if (!this.headerLine) this.prefix = this.prefixFor(this.columns.names);
    this.splitter = new CsvRowSplitter(options, ctx, {
      ...(maxChars !== undefined ? { maxChars } : {}),
      ...(known !== undefined ? { keepRaw: true, look: (raw, line) => this.look(raw, line) } : {}),
    });
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

  /** A known row's record after all, from its own text (the delta filter, when the night still sends it). */
  reread(text: string, line: number, textHash: string): ParsedItem & { kind: 'record' | 'reject' } {
    // Its text is one whole row: no lines to skip, no comment, whatever the file's options say.
    const oneRow: CsvOptions = { ...this.options, skipLines: 0 };
    delete oneRow.comment;
    const splitter = new CsvRowSplitter(oneRow, this.ctx);
    const row = [...splitter.write(text), ...splitter.end()][0];
    const item = this.toItem({ fields: row?.fields ?? [], line }, undefined);
    return item.kind === 'record' ? { ...item, textHash } : item;
  }

  private prefixFor(headers: readonly string[] | null): string | undefined {
    return this.known !== undefined ? `${textHash(this.known.fingerprint, `\ncsv\n${JSON.stringify(headers)}`)}\n` : undefined;
  }

  /** The splitter's look at a plain row's text before cutting its fields (RowLook). */
  private look(raw: string, line: number): CsvRow | string | undefined {
    const prefix = this.prefix;
    if (prefix === undefined || this.known === undefined) return undefined;
    const hash = textHash(prefix, raw);
    const slot = this.known.take(hash);
    return slot >= 0 ? { fields: NO_FIELDS, line, raw, hash, slot } : hash;
  }

  private toItems(rows: CsvRow[]): ParsedItem[] {
    const items: ParsedItem[] = [];
    for (const row of rows) {
      if (this.columns.names === null && this.headerLine) {
        // Header names are trimmed always: a stray space would make a column silently unmappable.
        const names = checkHeaderNames(
          row.fields.map((f) => f.trim()),
          this.ctx,
          row.line,
        );
        this.columns = new Columns(names);
        this.prefix = this.prefixFor(names);
        continue;
      }
      // Rows the splitter did not look at (quoted, cut by fast-csv, read before the header) are looked at here.
      const seen = row.hash !== undefined || row.slot !== undefined ? row : this.look(row.raw ?? '', row.line);
      const r = seen === undefined ? row : typeof seen === 'string' ? { ...row, hash: seen } : seen;
      items.push(
        r.slot !== undefined
          ? { kind: 'known', line: r.line, slot: r.slot, textHash: r.hash as string, text: r.raw as string, from: this }
          : this.toItem(r, r.hash),
      );
    }
    return items;
  }

  private toItem(row: CsvRow, hash: string | undefined): ParsedItem & { kind: 'record' | 'reject' } {
    const { fields, line } = row;
    const headers = this.columns.names;
    // `headers: false`: no names at all, so a column is named by its 0-based position (Columns).
    if (headers !== null && fields.length !== headers.length) {
      return { kind: 'reject', line, reason: `row has ${fields.length} fields, header has ${headers.length}`, raw: fields };
    }
    const data = new FieldRow(this.columns, fields);
    return hash !== undefined ? { kind: 'record', line, data, textHash: hash } : { kind: 'record', line, data };
  }
}
