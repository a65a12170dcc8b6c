/**
 * A Parquet file's columns as `init` lists them: every path a mapping can name, in schema order,
 * with the Propel attribute type its values fit (a DATE column is a `date`, already ISO: it needs
 * no `date:` format). Read from the footer alone.
 */
import type { SchemaElement } from 'hyparquet';
import type { ParquetFile } from './parquet-file.js';
import { shapeLeaves } from './schema-shape.js';
import { isDecimal } from './values.js';

export interface ParquetColumnInfo {
  /** As a mapping writes it: `dob`, `contact.email`, `phones[0]`. */
  readonly path: string;
  /** text, integer, decimal, date or datetime. */
  readonly attributeType: string;
}

function attributeType(e: SchemaElement): string {
  if (isDecimal(e)) return 'decimal';
  const logical = e.logical_type?.type;
  if (logical === 'DATE' || e.converted_type === 'DATE') return 'date';
  if (logical === 'TIMESTAMP' || e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIMESTAMP_MICROS' || e.type === 'INT96')
    return 'datetime';
  if (logical === 'TIME' || e.converted_type === 'TIME_MILLIS' || e.converted_type === 'TIME_MICROS') return 'text';
  if (e.type === 'INT32' || e.type === 'INT64') return 'integer';
  if (e.type === 'FLOAT' || e.type === 'DOUBLE') return 'decimal';
  return 'text';
}

export function describeParquetColumns(file: ParquetFile): ParquetColumnInfo[] {
  const out: ParquetColumnInfo[] = [];
  for (const [name, shape] of file.columns) {
    // A map's keys are data, not schema: sampled records show them.
    for (const leaf of shapeLeaves(name, shape))
      if (leaf.element !== undefined) out.push({ path: leaf.path, attributeType: attributeType(leaf.element) });
  }
  return out;
}
