export { checkParquet, readParquetObject, parquetColumns, type ParquetReadOptions } from './parquet-input.js';
export { describeParquetColumns, type ParquetColumnInfo } from './describe-schema.js';
export { openParquet, rangeBuffer, checkReadable, type ParquetFile, type RangeStorage, type RowGroupSpan } from './parquet-file.js';
export { readParquet, type ReadParquetOptions } from './read-parquet.js';
export { columnsFor, columnOf, closestPaths } from './columns.js';
export { shapeOf, shapePaths, type Shape } from './schema-shape.js';
export { exactInteger, decimalString, bigintFromBytes, isoDate } from './values.js';
