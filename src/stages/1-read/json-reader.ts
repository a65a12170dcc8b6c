/**
 * A JSON document as an incremental reader: the records are the elements of the array found at
 * a JSON pointer (RFC 6901; the top-level array by default). Built on stream-json's core
 * tokenizer and assembler, so only one record is ever held in memory.
 *
 * Line numbers: stream-json tokens carry no positions, so the text is fed to the tokenizer one
 * line at a time; the `{` that opens a record is always emitted by the call for its own line.
 */
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { Assembler } from 'stream-json/core/assembler.js';
import { none, isMany, getManyValues } from 'stream-chain/defs.js';
import { ERR, ConfigError, SourceError } from '../../core/errors.js';
import type { SourceData } from '../../core/record.js';
import { truncateRaw, type FormatReader, type ParsedItem, type ReaderContext } from './reader.js';

/** Splits a JSON pointer into its reference tokens; `''` or `/` alone is the document root. */
export function parseJsonPointer(pointer: string | undefined): string[] {
  if (pointer === undefined || pointer === '' || pointer === '/') return [];
  if (!pointer.startsWith('/')) {
    throw new ConfigError(`JSON pointer "${pointer}" must start with /`, { key: 'source.json.pointer' });
  }
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Frame {
  readonly isArray: boolean;
  /** The container sits on the pointer's path (all its ancestors' keys matched). */
  readonly onPath: boolean;
  /** Object: the key of the value coming next. */
  key: string;
  /** Array: index of the value coming next. */
  index: number;
}

type ValueStart = Token['name'];
const VALUE_STARTS: ReadonlySet<ValueStart> = new Set<ValueStart>([
  'startObject',
  'startArray',
  'stringValue',
  'numberValue',
  'nullValue',
  'trueValue',
  'falseValue',
]);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export class JsonReader implements FormatReader {
  // Packed tokens only: per-chunk string/number streaming tokens would just be thrown away.
  // The typings only admit text, but the flush signal `none` is how a flushable stage is told the input ended.
  private readonly parse = jsonParser({ packValues: true, streamValues: false }) as (chunk: string | typeof none) => unknown;
  private readonly segments: string[];
  private readonly pointer: string;
  private readonly ctx: ReaderContext;
  private readonly stack: Frame[] = [];
  private lineNo = 1;
  /** stack depth of the records array while inside it, else -1. */
  private recordsDepth = -1;
  private found = false;
  private asm: Assembler | null = null;
  private recordLine = 0;
  private recordIndex = 0;
  /** A syntax error found after some records of the same chunk: those go out first, it is thrown next. */
  private failure: SourceError | null = null;

  constructor(pointer: string | undefined, ctx: ReaderContext) {
    this.segments = parseJsonPointer(pointer);
    this.pointer = pointer ?? '';
    this.ctx = ctx;
  }

  get line(): number {
    return this.lineNo;
  }

  write(text: string): ParsedItem[] {
    if (this.failure !== null) throw this.failure;
    const items: ParsedItem[] = [];
    try {
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        this.feed(text.slice(start, nl + 1), items);
        this.lineNo++;
        start = nl + 1;
      }
      if (start < text.length) this.feed(start === 0 ? text : text.slice(start), items);
    } catch (e) {
      if (items.length === 0 || !(e instanceof SourceError)) throw e;
      this.failure = e;
    }
    return items;
  }

  end(): ParsedItem[] {
    if (this.failure !== null) throw this.failure;
    const items: ParsedItem[] = [];
    this.feed(none, items);
    if (!this.found) {
      throw new SourceError(`no array at JSON pointer "${this.pointer || '/'}"`, { ...this.ctx, line: this.lineNo }, ERR.SOURCE_JSON);
    }
    return items;
  }

  finish(): void {
    if (this.failure !== null) throw this.failure;
  }

  private feed(text: string | typeof none, items: ParsedItem[]): void {
    let out: unknown;
    try {
      out = this.parse(text);
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/^Parser (cannot parse input|has expected)/, 'expected').trim() : String(e);
      const message = text === none ? `the JSON document ends early (${why})` : `invalid JSON: ${why}`;
      throw new SourceError(message, { ...this.ctx, line: this.lineNo }, ERR.SOURCE_JSON, { cause: e });
    }
    if (out === none || out === undefined) return;
    if (isMany(out)) {
      for (const token of getManyValues(out) as Token[]) this.token(token, items);
    } else {
      this.token(out as Token, items);
    }
  }

  private token(token: Token, items: ParsedItem[]): void {
    if (this.asm !== null) {
      this.asm.consume(token);
      if (this.asm.done) this.finishRecord(items);
      return;
    }
    if (this.recordsDepth === this.stack.length && this.recordsDepth > 0) {
      if (token.name === 'endArray') {
        this.recordsDepth = -1;
        this.close();
        return;
      }
      // The start of one element of the records array.
      this.recordLine = this.lineNo;
      this.asm = new Assembler();
      this.asm.consume(token);
      if (this.asm.done) this.finishRecord(items);
      return;
    }
    this.track(token);
  }

  private finishRecord(items: ParsedItem[]): void {
    const value: unknown = this.asm?.current;
    this.asm = null;
    this.recordIndex++;
    const frame = this.stack[this.stack.length - 1];
    if (frame !== undefined) frame.index++;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      items.push({ kind: 'record', line: this.recordLine, data: value as SourceData });
    } else {
      items.push({
        kind: 'reject',
        line: this.recordLine,
        reason: `record ${this.recordIndex} is ${describe(value)}, not a JSON object`,
        raw: typeof value === 'string' ? truncateRaw(value) : value,
      });
    }
  }

  /** Outside the records: keep the path so the pointer's array is recognised when it opens. */
  private track(token: Token): void {
    switch (token.name) {
      case 'keyValue': {
        const top = this.stack[this.stack.length - 1];
        if (top !== undefined) top.key = token.value;
        return;
      }
      case 'endObject':
      case 'endArray':
        this.close();
        return;
      default:
        break;
    }
    if (!VALUE_STARTS.has(token.name)) return;
    const parent = this.stack[this.stack.length - 1];
    const depth = this.stack.length;
    const onPath =
      parent === undefined
        ? true
        : parent.onPath &&
          depth <= this.segments.length &&
          this.segments[depth - 1] === (parent.isArray ? String(parent.index) : parent.key);
    const isTarget = onPath && depth === this.segments.length && !this.found;
    if (isTarget) {
      if (token.name !== 'startArray') {
        throw new SourceError(
          `JSON pointer "${this.pointer || '/'}" leads to ${token.name === 'startObject' ? 'an object' : 'a single value'}, not an array of records`,
          { ...this.ctx, line: this.lineNo },
          ERR.SOURCE_JSON,
        );
      }
      this.found = true;
    }
    if (token.name === 'startObject' || token.name === 'startArray') {
      this.stack.push({ isArray: token.name === 'startArray', onPath, key: '', index: 0 });
      if (isTarget) this.recordsDepth = this.stack.length;
    } else if (parent?.isArray) {
      parent.index++;
    }
  }

  private close(): void {
    this.stack.pop();
    const parent = this.stack[this.stack.length - 1];
    if (parent?.isArray) parent.index++;
  }
}
