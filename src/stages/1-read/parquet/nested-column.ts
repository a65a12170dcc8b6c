/**
 * A nested column (STRUCT, LIST, MAP, a repeated field) read a row group at a time by
 * hyparquet's parquetRead, which assembles its leaf columns into objects and arrays. Not page
 * by page like the flat columns: a v1 page may end inside a row's list, and a struct's leaves
 * page independently, so assembling across pages would repeat hyparquet's assembly here.
 * Nested columns are rarely the wide ones of an export; they hold their row group decoded.
 */
import { parquetRead, type ColumnData, type Compressors, type DecodedArray } from 'hyparquet';
import type { ColumnCursor } from './column-cursor.js';
import type { ParquetFile, RowGroupSpan } from './parquet-file.js';
import { PARSERS } from './values.js';

export class NestedColumn implements ColumnCursor {
  private group: RowGroupSpan | undefined;
  private pieces: DecodedArray[] = [];
  private piece = 0;
  private offset = 0;
  available = 0;

  constructor(
    private readonly file: ParquetFile,
    readonly name: string,
    private readonly compressors: Compressors,
  ) {}

  startGroup(group: RowGroupSpan): void {
    this.group = group;
    this.pieces = [];
    this.piece = 0;
    this.offset = 0;
    this.available = 0;
  }

  async fill(): Promise<void> {
    const group = this.group;
    if (group === undefined) return;
    this.group = undefined;
    const runs: ColumnData[] = [];
    await parquetRead({
      file: this.file.buffer,
      metadata: this.file.metadata,
      columns: [this.name],
      rowStart: group.start,
      rowEnd: group.start + group.rows,
      compressors: this.compressors,
      parsers: PARSERS,
      // Bytes without a string annotation are finished by values.ts (DECIMAL, ENUM, binary).
      utf8: false,
      onChunk: (chunk) => runs.push(chunk),
    });
    runs.sort((a, b) => a.rowStart - b.rowStart);
    const covered = runs.reduce((n, r) => n + r.columnData.length, 0);
    if (runs[0]?.rowStart !== group.start || covered !== group.rows) {
      throw new Error(`column ${this.name} holds ${covered} values for ${group.rows} rows`);
    }
    this.pieces = runs.map((r) => r.columnData);
    this.available = group.rows;
  }

  take(): unknown {
    let data = this.pieces[this.piece];
    while (data !== undefined && this.offset >= data.length) {
      this.pieces[this.piece] = [];
      this.piece++;
      this.offset = 0;
      data = this.pieces[this.piece];
    }
    if (data === undefined) return undefined;
    this.available--;
    const v: unknown = data[this.offset];
    if (Array.isArray(data)) data[this.offset] = undefined;
    this.offset++;
    return v;
  }
}
