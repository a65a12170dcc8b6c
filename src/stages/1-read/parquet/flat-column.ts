/**
 * A flat (top-level, not repeated) column read page by page: its chunk's pages come through
 * ChunkPages, and a page is decoded only when the rows already decoded run out. The column
 * holds the page being taken from (and the next, when a batch of rows straddles them), not its
 * row group, whatever the writer's page size; taken values are released from the page.
 *
 * hyparquet's internals (`hyparquet/src/*.js`, an exported subpath) do the decoding, page by
 * page, as its own readColumn does for a whole chunk: that is why hyparquet is pinned to an
 * exact version in package.json, a minor release may change these functions' shapes.
 */
import type { DecodedArray, SchemaTree } from 'hyparquet';
import type { ColumnDecoder } from 'hyparquet/src/types.js';
import { readPage } from 'hyparquet/src/column.js';
import { convert, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { getMaxDefinitionLevel, getTreePath } from 'hyparquet/src/schema.js';
import { ChunkPages, type RawPage } from './chunk-pages.js';
import type { ColumnCursor, CursorOptions } from './column-cursor.js';
import type { ParquetFile, RowGroupSpan } from './parquet-file.js';
import { ArrayPage, countDefined, DictionaryPage, type PageValues } from './page-values.js';
import { StringPage, type TextDecoding } from './string-page.js';
import { PARSERS } from './values.js';

const bitWidth = (value: number): number => 32 - Math.clz32(value);

export class FlatColumn implements ColumnCursor {
  private readonly decoder: ColumnDecoder;
  private readonly maxDefinition: number;
  private pages: ChunkPages | undefined;
  private dictionary: DecodedArray | undefined;
  private readonly queue: PageValues[] = [];
  private rowsInGroup = 0;
  /** Rows of the group whose pages were decoded. */
  private rowsDecoded = 0;
  available = 0;

  constructor(
    private readonly file: ParquetFile,
    readonly name: string,
    /** Set when the column is text decoded by StringPage on PLAIN pages. */
    private readonly text: TextDecoding | undefined,
    private readonly options: CursorOptions,
  ) {
    const schemaPath: SchemaTree[] = getTreePath(file.schema, [name]);
    const element = schemaPath[schemaPath.length - 1]!.element;
    if (element.type === undefined) throw new Error(`column ${name} has no physical type`);
    this.decoder = {
      pathInSchema: [name],
      type: element.type,
      element,
      schemaPath,
      codec: 'UNCOMPRESSED', // each group's chunk says its own (startGroup)
      // A partial parsers object would lose hyparquet's defaults: merged as its readRowGroup does.
      parsers: { ...DEFAULT_PARSERS, ...PARSERS },
      compressors: options.compressors,
      // Bytes without a string annotation are finished by values.ts (DECIMAL, ENUM, binary).
      utf8: false,
    };
    this.maxDefinition = getMaxDefinitionLevel(schemaPath);
  }

  startGroup(group: RowGroupSpan): void {
    const chunk = this.file.metadata.row_groups[group.index]?.columns.find((c) => c.meta_data?.path_in_schema[0] === this.name)?.meta_data;
    if (chunk === undefined) throw new Error(`row group ${group.index + 1} has no chunk for column ${this.name}`);
    // As hyparquet: a dictionary_page_offset of 0 (old writers) means none.
    const start = Number(chunk.dictionary_page_offset || chunk.data_page_offset);
    this.pages = new ChunkPages(
      this.file.buffer,
      start,
      start + Number(chunk.total_compressed_size),
      this.options.windowBytes,
      this.options.maxPageBytes,
    );
    this.decoder.codec = chunk.codec;
    this.dictionary = undefined;
    this.queue.length = 0;
    this.available = 0;
    this.rowsInGroup = group.rows;
    this.rowsDecoded = 0;
  }

  async fill(rows: number): Promise<void> {
    while (this.available < rows && this.rowsDecoded < this.rowsInGroup) {
      const page = await this.pages?.next();
      if (page === undefined) throw new Error(`column ${this.name} holds ${this.rowsDecoded} values for ${this.rowsInGroup} rows`);
      this.options.onPage?.(this.name, page.header);
      const values = this.decode(page);
      if (values === undefined || values.remaining === 0) continue;
      if (this.rowsDecoded + values.remaining > this.rowsInGroup) {
        throw new Error(`column ${this.name} holds more values than its ${this.rowsInGroup} rows`);
      }
      this.queue.push(values);
      this.available += values.remaining;
      this.rowsDecoded += values.remaining;
    }
  }

  take(): unknown {
    const page = this.queue[0];
    if (page === undefined) return undefined;
    const v = page.take();
    this.available--;
    if (page.remaining === 0) this.queue.shift();
    return v;
  }

  /** A data page's values, or undefined for the dictionary page (kept for the pages after it). */
  private decode(page: RawPage): PageValues | undefined {
    const { header, bytes } = page;
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    if (header.type === 'DICTIONARY_PAGE') {
      const { data } = readPage(reader, header, this.decoder, undefined, undefined, 0);
      this.dictionary = data !== undefined ? convert(data, this.decoder) : undefined;
      return undefined;
    }
    const encoding = header.data_page_header?.encoding ?? header.data_page_header_v2?.encoding;
    if (encoding === 'PLAIN' && this.text !== undefined) {
      const { rows, definitions, values } = this.open(page);
      return new StringPage(values, rows, definitions, this.maxDefinition, this.text);
    }
    if (
      (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') &&
      this.dictionary !== undefined &&
      this.decoder.type !== 'BOOLEAN'
    ) {
      const { rows, definitions, values } = this.open(page);
      const indexes = new Uint32Array(definitions === undefined ? rows : countDefined(definitions, this.maxDefinition));
      const view = { view: new DataView(values.buffer, values.byteOffset, values.byteLength), offset: 0 };
      // As hyparquet's readDataPage: a bit width of 0 means every index is 0.
      const width = values.byteLength > 0 ? view.view.getUint8(view.offset++) : 0;
      if (width > 0 && indexes.length > 0) readRleBitPackedHybrid(view, width, indexes, values.byteLength - view.offset);
      return new DictionaryPage(this.dictionary, indexes, rows, definitions, this.maxDefinition);
    }
    const { data } = readPage(reader, header, this.decoder, this.dictionary, undefined, 0);
    return data !== undefined ? new ArrayPage(data) : undefined;
  }

  /**
   * A v1 or v2 data page of this flat column as its row count, its definition levels (undefined
   * when no row is null) and its decompressed value bytes, as hyparquet's readDataPage(V2) reads them.
   */
  private open({ header, bytes }: RawPage): { rows: number; definitions: Uint8Array | undefined; values: Buffer } {
    const { codec, compressors } = this.decoder;
    const v1 = header.data_page_header;
    if (header.type === 'DATA_PAGE' && v1 !== undefined) {
      const page = decompressPage(bytes, Number(header.uncompressed_page_size), codec, compressors);
      const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
      const definitions = this.definitions(reader, v1.num_values, undefined);
      return { rows: v1.num_values, definitions, values: asBuffer(page.subarray(reader.offset)) };
    }
    const v2 = header.data_page_header_v2;
    if (header.type === 'DATA_PAGE_V2' && v2 !== undefined) {
      // Levels are never compressed in a v2 page; the values after them may be.
      const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: v2.repetition_levels_byte_length };
      const definitions = this.definitions(reader, v2.num_values, v2.definition_levels_byte_length);
      const levels = v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
      const valueBytes = Number(header.uncompressed_page_size) - levels;
      let values = bytes.subarray(levels);
      if (v2.is_compressed !== false && valueBytes > 0) values = decompressPage(values, valueBytes, codec, compressors);
      return { rows: v2.num_values, definitions, values: asBuffer(values) };
    }
    throw new Error(`unsupported page type: ${header.type}`);
  }

  /** A page's definition levels, or undefined when the column cannot be null or no row is. */
  private definitions(reader: { view: DataView; offset: number }, rows: number, length: number | undefined): Uint8Array | undefined {
    if (this.maxDefinition === 0) return undefined;
    const levels = new Uint8Array(rows);
    readRleBitPackedHybrid(reader, bitWidth(this.maxDefinition), levels, length);
    return countDefined(levels, this.maxDefinition) === rows ? undefined : levels;
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
