import { hashBytes } from '../../../resume/break-prefix.js';
import type { BinaryFormat } from './source-format.js';

/** Imported on the first Parquet input: hyparquet and its codecs are ~10 MB of RSS that other formats do not need. */
const parquetInput = (): Promise<typeof import('../parquet/parquet-input.js')> => import('../parquet/parquet-input.js');

export const parquetFormat: BinaryFormat = {
  kind: 'binary',
  name: 'parquet',
  extensions: ['.parquet'],
  entryExtensions: ['.parquet'],
  read: async function* (object, storage, spec, where, options) {
    yield* (await parquetInput()).readParquetObject(object, storage, where, {
      sources: options.columns,
      maxPageBytes: spec.parquet?.maxPageSize,
    });
  },
  check: async (object, storage, _spec, where, options) => (await parquetInput()).checkParquet(object, storage, where, options.columns),
  // The bytes before the broken row group hold every row group before it (`line` is the first row not handed out).
  resumePrefix: async (input, storage, line) => {
    if (input.compression !== 'none') return undefined;
    const start = await (await parquetInput()).rowGroupStart(input.object, storage, { file: input.object.display }, line);
    return start === undefined ? undefined : hashBytes(storage.openStream(input.object), start);
  },
  init: {
    fields: 'paths',
    declaredFields: async (object, storage, where) =>
      (await (await parquetInput()).parquetColumns(object, storage, where)).map((c) => ({ path: c.path, attributeType: c.attributeType })),
  },
};
