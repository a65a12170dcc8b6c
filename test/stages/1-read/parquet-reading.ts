/** How the Parquet reader tests open and drain a file, and watch what it reads. */
import type { ParquetFile, RangeStorage } from '../../../src/stages/1-read/parquet/index.js';
import { openParquet } from '../../../src/stages/1-read/parquet/index.js';
import type { ParsedItem } from '../../../src/stages/1-read/reader.js';
import { LocalStorage } from '../../../src/storage/index.js';
import type { StoredObject } from '../../../src/storage/storage.js';

const local = new LocalStorage();

/** A storage that records every range asked for. */
export function recording(): RangeStorage & { ranges: [number, number][] } {
  const ranges: [number, number][] = [];
  return {
    ranges,
    readRange(object: StoredObject, start: number, end: number) {
      ranges.push([start, end]);
      return local.readRange(object, start, end);
    },
  };
}

/** The file as the storage lists it: named by its base name, as a pipeline beside it would. */
export async function open(path: string, storage: RangeStorage = local): Promise<ParquetFile> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return openParquet(await local.stat(name, path.slice(0, path.lastIndexOf('/'))), storage, { file: name });
}

export async function drain(items: AsyncGenerator<ParsedItem[]>): Promise<ParsedItem[]> {
  const out: ParsedItem[] = [];
  for await (const batch of items) out.push(...batch);
  return out;
}

/** What a promise rejects with; a test fails when it does not. */
export async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof Error)) throw new Error('expected a failure');
  return e;
}
