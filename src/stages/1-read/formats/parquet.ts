import type { BinaryFormat } from './source-format.js';

/** Imported on the first Parquet input: hyparquet and its codecs are ~10 MB of RSS that other formats do not need. */
const parquetInput = (): Promise<typeof import('../parquet/parquet-input.js')> => import('../parquet/parquet-input.js');

export const parquetFormat: BinaryFormat = {
  kind: 'binary',
  name: 'parquet',
  extensions: ['.parquet'],
  entryExtensions: ['.parquet'],
  read: async function* (object, storage, _spec, where, options) {
    yield* (await parquetInput()).readParquetObject(object, storage, where, { sources: options.columns });
  },
  check: async (object, storage, _spec, where, options) => (await parquetInput()).checkParquet(object, storage, where, options.columns),
};
