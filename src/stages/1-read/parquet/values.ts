/**
 * Parquet values as a mapping expects them (README, "Parquet values"): exact where JSON numbers
 * are not (INT64 past 2^53 and DECIMAL become decimal strings), dates and timestamps as ISO 8601
 * text, bytes as text. hyparquet decodes pages; these functions finish each value, chosen once
 * per column from the schema so a row only runs the converters its columns need.
 */
import type { FileMetaData, ParquetParsers, SchemaElement } from 'hyparquet';
import type { Shape } from './schema-shape.js';

/** Finishes one decoded value (never called with null or undefined). */
export type Convert = (value: unknown) => unknown;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const utf8 = new TextDecoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** An integer as a JSON number where that is exact, else as its decimal digits. */
export function exactInteger(value: bigint): number | string {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
}

/** Big-endian two's complement bytes (DECIMAL in FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY) as a bigint. */
export function bigintFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return (bytes[0] as number) & 0x80 ? value - (1n << BigInt(bytes.length * 8)) : value;
}

/** `unscaled * 10^-scale` written out exactly, keeping the scale's digits (`1250`, 2 -> `12.50`). */
export function decimalString(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0) {
    digits += '0'.repeat(-scale);
  }
  return negative ? `-${digits}` : digits;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 as `YYYY-MM-DD`. */
export function isoDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** A count of `perSecond` units since the epoch as ISO 8601 UTC with as many fraction digits as the unit has. */
function isoTimestamp(count: bigint, perSecond: bigint, digits: number): string {
  let seconds = count / perSecond;
  let fraction = count % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  const whole = new Date(Number(seconds) * 1000).toISOString();
  return `${whole.slice(0, -5)}.${fraction.toString().padStart(digits, '0')}Z`;
}

/** A time of day (`perSecond` units since midnight) as `HH:MM:SS.fff…`. */
function isoTime(count: bigint, perSecond: bigint, digits: number): string {
  const seconds = Number(count / perSecond);
  const fraction = (count % perSecond).toString().padStart(digits, '0');
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${fraction}`;
}

/**
 * hyparquet's hooks for the types it converts itself. Timestamps keep their unit's precision
 * (hyparquet's default Date would cut micro- and nanoseconds); a timestamp not adjusted to UTC
 * is written with `Z` too, as the warehouses' exports of local times mean it.
 */
export const PARSERS: Partial<ParquetParsers> = {
  dateFromDays: (days: number) => isoDate(days),
  timestampFromMilliseconds: (n: bigint) => isoTimestamp(BigInt(n), 1000n, 3),
  timestampFromMicroseconds: (n: bigint) => isoTimestamp(BigInt(n), 1_000_000n, 6),
  timestampFromNanoseconds: (n: bigint) => isoTimestamp(BigInt(n), 1_000_000_000n, 9),
  // JSON columns arrive as their text, like any other string: the mapping decides what to read.
  jsonFromBytes: (bytes: Uint8Array) => utf8.decode(bytes),
};

export function isDecimal(e: SchemaElement): boolean {
  return e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';
}

/**
 * The footer as hyparquet should decode it: DECIMAL annotations removed, so it hands over the
 * unscaled integers (it would divide them into floats) and `decimalString` writes them exactly.
 */
export function withRawDecimals(metadata: FileMetaData): FileMetaData {
  if (!metadata.schema.some(isDecimal)) return metadata;
  return {
    ...metadata,
    schema: metadata.schema.map((e) => {
      if (!isDecimal(e)) return e;
      const { converted_type: _c, logical_type: _l, ...rest } = e;
      return rest;
    }),
  };
}

const hex = (v: Uint8Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
const bytesToHex: Convert = (v) => (v instanceof Uint8Array ? hex(v) : v);
// Text when the bytes are UTF-8 (what unannotated strings are); a real binary value as hex rather than replacement characters.
const bytesToText: Convert = (v) => {
  if (!(v instanceof Uint8Array)) return v;
  try {
    return strictUtf8.decode(v);
  } catch {
    return hex(v);
  }
};
const int64: Convert = (v) => (typeof v === 'bigint' ? exactInteger(v) : v);
// JSON has no NaN or Infinity: sent as a number they would become null. As text, a typed field rejects them by name.
const float: Convert = (v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);

function timeConverter(e: SchemaElement): Convert | undefined {
  const unit =
    e.logical_type?.type === 'TIME'
      ? e.logical_type.unit
      : e.converted_type === 'TIME_MILLIS'
        ? 'MILLIS'
        : e.converted_type === 'TIME_MICROS'
          ? 'MICROS'
          : undefined;
  if (unit === undefined) return undefined;
  const [perSecond, digits] = unit === 'MILLIS' ? [1000n, 3] : unit === 'MICROS' ? [1_000_000n, 6] : [1_000_000_000n, 9];
  return (v) => (typeof v === 'bigint' || typeof v === 'number' ? isoTime(BigInt(v), perSecond, digits) : v);
}

/** The converter a leaf needs after hyparquet, or undefined when its values are final already. */
function valueConverter(e: SchemaElement): Convert | undefined {
  if (isDecimal(e)) {
    const scale = e.logical_type?.type === 'DECIMAL' ? e.logical_type.scale : (e.scale ?? 0);
    return (v) => {
      if (typeof v === 'bigint') return decimalString(v, scale);
      if (typeof v === 'number') return decimalString(BigInt(v), scale);
      if (v instanceof Uint8Array) return decimalString(bigintFromBytes(v), scale);
      return v;
    };
  }
  const time = timeConverter(e);
  if (time !== undefined) return time;
  const logical = e.logical_type?.type;
  // Timestamps, dates, strings, JSON, UUIDs and FLOAT16 are finished by hyparquet (with PARSERS).
  if (
    logical === 'TIMESTAMP' ||
    logical === 'DATE' ||
    logical === 'STRING' ||
    logical === 'JSON' ||
    logical === 'UUID' ||
    logical === 'FLOAT16'
  )
    return undefined;
  const converted = e.converted_type;
  if (
    converted === 'TIMESTAMP_MILLIS' ||
    converted === 'TIMESTAMP_MICROS' ||
    converted === 'DATE' ||
    converted === 'UTF8' ||
    converted === 'JSON'
  )
    return undefined;
  switch (e.type) {
    case 'INT64':
      return int64;
    case 'FLOAT':
    case 'DOUBLE':
      return float;
    case 'BYTE_ARRAY':
      // ENUM, BSON and unannotated binary: text (Spark and Hive wrote strings unannotated for years).
      return bytesToText;
    case 'FIXED_LEN_BYTE_ARRAY':
      return bytesToHex;
    default:
      return undefined;
  }
}

/** The converter for a column of this shape, or undefined when hyparquet's values are final. */
export function converterFor(shape: Shape): Convert | undefined {
  switch (shape.kind) {
    case 'value':
      return valueConverter(shape.element);
    case 'list': {
      const inner = converterFor(shape.element);
      if (inner === undefined) return undefined;
      return (v) => (Array.isArray(v) ? v.map((x: unknown) => (x === null || x === undefined ? x : inner(x))) : v);
    }
    case 'map': {
      const inner = converterFor(shape.value);
      if (inner === undefined) return undefined;
      return (v) => convertFields(v, () => inner);
    }
    case 'struct': {
      const fields = new Map<string, Convert>();
      for (const [name, s] of shape.fields) {
        const c = converterFor(s);
        if (c !== undefined) fields.set(name, c);
      }
      if (fields.size === 0) return undefined;
      return (v) => convertFields(v, (name) => fields.get(name));
    }
  }
}

function convertFields(v: unknown, pick: (name: string) => Convert | undefined): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [name, x] of Object.entries(v as Record<string, unknown>)) {
    const c = pick(name);
    out[name] = c === undefined || x === null || x === undefined ? x : c(x);
  }
  return out;
}
