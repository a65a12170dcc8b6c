/**
 * Parquet fixtures written by DuckDB (another implementation than the reader's), in the test's
 * temporary folder at test time, with the values every row should arrive with worked out here
 * from the same formulas: nulls, INT64 ids past 2^53, DECIMAL(18,2) past a double's precision,
 * DATE, TIMESTAMP in millis, micros and nanos, BOOLEAN, a STRUCT and LISTs.
 */
import { DuckDBInstance } from '@duckdb/node-api';

export type Codec = 'snappy' | 'gzip' | 'zstd' | 'brotli' | 'lz4' | 'uncompressed';
export const CODECS: readonly Codec[] = ['snappy', 'gzip', 'zstd', 'brotli', 'lz4', 'uncompressed'];

/** DuckDB's smallest row group is 2048 rows (its vector size): this many rows make two groups. */
export const TWO_GROUPS = 2100;

const FIRST_ID = 9007199254740993n; // 2^53 + 1: not a safe JS integer

/** Cents of the DECIMAL(18,2) column: every eleventh near the type's 18-digit limit, where a double would round. */
function cents(i: number): bigint {
  return i % 11 === 0 ? 999_999_999_999_999_999n - BigInt(i) : BigInt(i) * 12345n - 1_000_000n;
}

const SELECT = (rows: number, offset: number): string => `
  SELECT
    (${FIRST_ID}::BIGINT + i)                                           AS id,
    i::INTEGER                                                           AS seq,
    (i * 1000)::BIGINT                                                   AS points,
    CASE WHEN i % 5 = 0 THEN NULL ELSE 'First' || i END                  AS first_name,
    'Last' || i                                                          AS last_name,
    CASE WHEN i % 7 = 0 THEN NULL ELSE DATE '1950-01-01' + (i % 20000)::INTEGER END AS dob,
    CAST(CASE WHEN c < 0 THEN '-' ELSE '' END || (abs(c) // 100)::VARCHAR || '.' || lpad((abs(c) % 100)::VARCHAR, 2, '0') AS DECIMAL(18,2)) AS credit,
    TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) + to_microseconds(i) AS signed_up,
    (TIMESTAMP '2024-01-01 00:00:00' + to_milliseconds(i * 1001))::TIMESTAMP_MS AS seen_ms,
    ('2024-01-02 03:04:05.' || lpad(i::VARCHAR, 9, '0'))::TIMESTAMP_NS   AS seen_ns,
    (i % 3 = 0)                                                          AS vip,
    {'email': 'User' || i || '@Example.com', 'street': 'Street ' || i, 'city': CASE WHEN i % 2 = 0 THEN NULL ELSE 'City ' || i END, 'country': 'NL'} AS contact,
    CASE WHEN i % 4 = 0 THEN [] WHEN i % 4 = 1 THEN NULL ELSE ['+31 6 ' || i, '+31 20 ' || i] END AS phones,
    [{'name': 'a' || i}, {'name': 'b'}]                                  AS tags
  FROM (SELECT i, CASE WHEN i % 11 = 0 THEN 999999999999999999 - i ELSE i * 12345 - 1000000 END AS c FROM range(${offset}, ${offset + rows}) t(i))`;

export interface WriteOptions {
  readonly codec?: Codec;
  /** V2 makes DuckDB use the v2 encodings (DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, …); its page headers stay v1. */
  readonly version?: 'V1' | 'V2';
  readonly rows?: number;
  /** The first row's i: part files continue each other's numbering. */
  readonly offset?: number;
  /** A column left out, as an export from an older schema would lack it. */
  readonly without?: string;
}

let instance: Promise<DuckDBInstance> | undefined;

export async function writeUsersParquet(path: string, opts: WriteOptions = {}): Promise<void> {
  instance ??= DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await (await instance).connect();
  try {
    const select = SELECT(opts.rows ?? TWO_GROUPS, opts.offset ?? 0);
    const query = opts.without !== undefined ? `SELECT * EXCLUDE (${opts.without}) FROM (${select})` : select;
    const sql = `COPY (${query}) TO '${path.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION ${opts.codec ?? 'snappy'}, ROW_GROUP_SIZE 2048, PARQUET_VERSION ${opts.version ?? 'V1'})`;
    await connection.run(sql);
  } finally {
    connection.closeSync();
  }
}

/** One row of every other type README's value table names (UUID, ENUM, MAP, TIMESTAMPTZ, TIME, FLOAT, NaN, UBIGINT, BLOB, JSON, DECIMAL(38,2), TINYINT). */
export async function writeTypesParquet(path: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
    await c.run(`COPY (SELECT 'b2c3d4e5-0000-4000-8000-000000000001'::UUID AS u, 'happy'::mood AS e, MAP {'color': 1, 'size': 2} AS m,
      TIMESTAMPTZ '2024-05-06 07:08:09.123456+00' AS tz, TIME '13:14:15.5' AS t, 1.5::FLOAT AS f, 'NaN'::DOUBLE AS dn, '-inf'::DOUBLE AS di,
      18446744073709551615::UBIGINT AS ub, 4294967295::UINTEGER AS ui, '\\xAA\\xBB'::BLOB AS bin, 'tekst'::BLOB AS txt, '{"a":1}'::JSON AS js,
      (-12345678901234567890123.45)::DECIMAL(38,2) AS big, 1.5::DECIMAL(4,1) AS small, (-128)::TINYINT AS ti) TO '${path.replace(/'/g, "''")}' (FORMAT parquet)`);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** The mapping the fixture tests use: every kind of value, nested paths included. */
export const PARQUET_MAPPING = {
  source: { value: 'ERP' },
  sourceId: 'id',
  language: { value: 'NL' },
  firstName: 'first_name',
  lastName: 'last_name',
  dateOfBirth: 'dob',
  email: { from: 'contact.email', transform: ['lower'] },
  phone: 'phones[0]',
  attributes: [
    { name: 'SEQ', type: 'integer', value: { from: 'seq' } },
    { name: 'POINTS', type: 'integer', value: { from: 'points' } },
    { name: 'CREDIT', type: 'decimal', value: { from: 'credit' } },
    { name: 'SIGNED_UP', type: 'datetime', value: { from: 'signed_up' } },
    { name: 'SEEN_MS', type: 'datetime', value: { from: 'seen_ms' } },
    { name: 'SEEN_NS', type: 'datetime', value: { from: 'seen_ns' } },
    { name: 'VIP', type: 'text', value: { from: 'vip', type: 'yn' } },
    { name: 'SECOND_PHONE', type: 'text', value: { from: 'phones[1]' } },
    { name: 'TAG', type: 'text', value: { from: 'tags[0].name' } },
  ],
  // A null inside a struct is a missing field too: the default applies.
  addresses: [
    {
      type: { value: 'delivery' },
      street: 'contact.street',
      city: { from: 'contact.city', default: 'Unknown' },
      country: 'contact.country',
    },
  ],
} as const;

const pad = (n: number | bigint, width: number): string => String(n).padStart(width, '0');

function decimalText(c: bigint): string {
  const abs = c < 0n ? -c : c;
  return `${c < 0n ? '-' : ''}${abs / 100n}.${pad(abs % 100n, 2)}`;
}

/** The item PARQUET_MAPPING makes of row i, as the emulator should store it. */
export function expectedUser(i: number): Record<string, unknown> {
  const base = Date.UTC(2024, 0, 1);
  const second = new Date(base + i * 1000).toISOString().slice(0, 19);
  const ms = new Date(base + i * 1001).toISOString();
  const phones = i % 4 === 0 ? [] : i % 4 === 1 ? undefined : [`+31 6 ${i}`, `+31 20 ${i}`];
  const attributes: Record<string, unknown>[] = [
    { name: 'SEQ', type: 'integer', value: i },
    { name: 'POINTS', type: 'integer', value: i * 1000 },
    { name: 'CREDIT', type: 'decimal', value: decimalText(cents(i)) },
    { name: 'SIGNED_UP', type: 'datetime', value: `${second}.${pad(i, 6)}Z` },
    { name: 'SEEN_MS', type: 'datetime', value: ms },
    { name: 'SEEN_NS', type: 'datetime', value: `2024-01-02T03:04:05.${pad(i, 9)}Z` },
    { name: 'VIP', type: 'text', value: i % 3 === 0 ? 'Y' : 'N' },
  ];
  if (phones?.[1] !== undefined) attributes.push({ name: 'SECOND_PHONE', type: 'text', value: phones[1] });
  attributes.push({ name: 'TAG', type: 'text', value: `a${i}` });
  const dob = i % 7 === 0 ? undefined : new Date(Date.UTC(1950, 0, 1) + (i % 20000) * 86_400_000).toISOString().slice(0, 10);
  return {
    source: 'ERP',
    sourceId: (FIRST_ID + BigInt(i)).toString(),
    language: 'NL',
    ...(i % 5 === 0 ? {} : { firstName: `First${i}` }),
    lastName: `Last${i}`,
    ...(dob !== undefined ? { dateOfBirth: dob } : {}),
    email: `user${i}@example.com`,
    ...(phones?.[0] !== undefined ? { phone: phones[0] } : {}),
    attributes,
    addresses: [{ type: 'delivery', street: `Street ${i}`, city: i % 2 === 1 ? `City ${i}` : 'Unknown', country: 'NL' }],
  };
}

/** Expected items for rows [from, to), ordered as storedUsers() orders them (by sourceId). */
export function expectedUsers(from: number, to: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = from; i < to; i++) out.push(expectedUser(i));
  return out.sort((a, b) => String(a.sourceId).localeCompare(String(b.sourceId)));
}
