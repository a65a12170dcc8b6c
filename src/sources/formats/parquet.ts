import { checkParquet, readParquetObject } from '../parquet/index.js';
import type { BinaryFormat } from './source-format.js';

export const parquetFormat: BinaryFormat = {
  kind: 'binary',
  name: 'parquet',
  extensions: ['.parquet'],
  entryExtensions: ['.parquet'],
  read: (object, storage, _spec, where, options) => readParquetObject(object, storage, where, { sources: options.columns }),
  check: (object, storage, _spec, where, options) => checkParquet(object, storage, where, options.columns),
};
