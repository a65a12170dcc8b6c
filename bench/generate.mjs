// The bench's inputs: N demo users (src/demo/demo-data.ts, seeded, about 1 row in 200 broken on
// purpose) as CSV, then the same records as CSV.gz, ZIP (one CSV entry), NDJSON, a JSON
// document and Parquet, and the narrow 5-column CSV. Made once per N and kept in bench/out/data/.
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw, createGzip, crc32 } from 'node:zlib';
import { writeDemoUsers } from '../dist/demo/demo-data.js';
import { CsvReader, createDecoder } from '../dist/stages/1-read/index.js';

export const FORMATS = ['csv', 'csv.gz', 'zip', 'ndjson', 'json', 'parquet'];
/** The narrow case: the same users as a 5-column CSV, where per-item costs after validation weigh most. */
export const NARROW = 'csv-narrow';
export const NARROW_COLUMNS = ['code', 'first', 'last', 'email', 'city'];
const NARROW_FROM = ['customer_no', 'first_name', 'last_name', 'email', 'city'];

const csvField = (v) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** `code,first,last,email,city` from the demo CSV (so its broken rows come along), comma-separated. */
async function narrow(csv, path) {
  const reader = new CsvReader({ delimiter: ';', headers: true }, { file: csv });
  const decoder = createDecoder('utf8');
  const out = createWriteStream(path);
  await writeAll(out, NARROW_COLUMNS.join(',') + '\n');
  const emit = async (items) => {
    let text = '';
    for (const item of items) if (item.kind === 'record') text += NARROW_FROM.map((c) => csvField(item.data.get(c))).join(',') + '\n';
    await writeAll(out, text);
  };
  for await (const chunk of createReadStream(csv, { highWaterMark: 1 << 20 })) await emit(reader.write(decoder.write(chunk)));
  await emit(reader.end());
  out.end();
  await once(out, 'finish');
}

async function writeAll(out, text) {
  if (!out.write(text)) await once(out, 'drain');
}

/** NDJSON and the JSON document from the CSV, through the pipeline's own CSV reader. */
async function convert(csv, ndjsonPath, jsonPath) {
  const reader = new CsvReader({ delimiter: ';', headers: true }, { file: csv });
  const decoder = createDecoder('utf8');
  const nd = createWriteStream(ndjsonPath);
  const js = createWriteStream(jsonPath);
  let first = true;
  await writeAll(js, '[\n');
  const emit = async (items) => {
    let a = '';
    let b = '';
    for (const item of items) {
      if (item.kind !== 'record') continue;
      const line = JSON.stringify(item.data);
      a += line + '\n';
      b += (first ? '  ' : ',\n  ') + line;
      first = false;
    }
    await writeAll(nd, a);
    await writeAll(js, b);
  };
  for await (const chunk of createReadStream(csv, { highWaterMark: 1 << 20 })) await emit(reader.write(decoder.write(chunk)));
  await emit(reader.end());
  nd.end();
  js.end('\n]\n');
  await Promise.all([once(nd, 'finish'), once(js, 'finish')]);
}

/** A one-entry ZIP (deflate, sizes in a data descriptor), written streaming; no zip tool needed. */
async function writeZip(csv, zipPath, entryName) {
  const out = createWriteStream(zipPath);
  const name = Buffer.from(entryName);
  const dosTime = 0;
  const dosDate = ((2024 - 1980) << 9) | (1 << 5) | 1;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0008, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt16LE(name.length, 26);
  await writeAll(out, Buffer.concat([local, name]));
  let crc = 0;
  let size = 0;
  let compressed = 0;
  const deflate = createDeflateRaw({ level: 6 });
  const input = createReadStream(csv, { highWaterMark: 1 << 20 });
  input.on('data', (chunk) => {
    crc = crc32(chunk, crc);
    size += chunk.length;
  });
  deflate.on('data', (chunk) => {
    compressed += chunk.length;
  });
  await pipeline(input, deflate, async (source) => {
    for await (const chunk of source) await writeAll(out, chunk);
  });
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(crc >>> 0, 4);
  descriptor.writeUInt32LE(compressed, 8);
  descriptor.writeUInt32LE(size, 12);
  await writeAll(out, descriptor);
  const cdOffset = 30 + name.length + compressed + 16;
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0008, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(compressed, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  out.end(Buffer.concat([central, name, end]));
  await once(out, 'finish');
}

/**
 * The CSV as Parquet, written by DuckDB (a dev dependency, like the bench itself): snappy pages,
 * DuckDB's default row groups (122,880 rows). Every column stays text, so the demo pipeline maps
 * the same values from both files and the rows compare like for like.
 */
async function writeParquet(csv, parquetPath) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await db.connect();
  const quote = (p) => `'${p.replace(/'/g, "''")}'`;
  try {
    await connection.run(
      `COPY (SELECT * FROM read_csv(${quote(csv)}, delim = ';', header = true, all_varchar = true, quote = '"', escape = '"', strict_mode = false)) TO ${quote(parquetPath)} (FORMAT parquet, COMPRESSION snappy)`,
    );
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

/** Paths of the N-user inputs by format, generating what is missing. */
export async function ensureInputs(dir, n, log = () => {}) {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `users-${n}`);
  const paths = {
    csv: `${base}.csv`,
    'csv.gz': `${base}.csv.gz`,
    zip: `${base}.zip`,
    ndjson: `${base}.ndjson`,
    json: `${base}.json`,
    parquet: `${base}.parquet`,
    [NARROW]: `${base}-narrow.csv`,
  };
  // Written under a temporary name and renamed, so an interrupted run never leaves a short file behind.
  const make = async (path, fn) => {
    if (existsSync(path)) return;
    log(`generating ${path}`);
    const tmp = `${path}.part`;
    await fn(tmp);
    renameSync(tmp, path);
  };
  await make(paths.csv, (p) => writeDemoUsers(p, n));
  await make(paths['csv.gz'], (p) => pipeline(createReadStream(paths.csv), createGzip({ level: 6 }), createWriteStream(p)));
  await make(paths.zip, (p) => writeZip(paths.csv, p, 'users.csv'));
  await make(paths.parquet, (p) => writeParquet(paths.csv, p));
  await make(paths[NARROW], (p) => narrow(paths.csv, p));
  if (!existsSync(paths.ndjson) || !existsSync(paths.json)) {
    log(`generating ${paths.ndjson} and ${paths.json}`);
    await convert(paths.csv, `${paths.ndjson}.part`, `${paths.json}.part`);
    renameSync(`${paths.ndjson}.part`, paths.ndjson);
    renameSync(`${paths.json}.part`, paths.json);
  }
  return Object.fromEntries([...FORMATS, NARROW].map((f) => [f, { path: paths[f], bytes: statSync(paths[f]).size }]));
}
