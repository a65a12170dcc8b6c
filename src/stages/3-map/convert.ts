/**
 * `type:` conversions. Strict on content (no `12.5` as an integer, no `1,5` as a number) but
 * blind to surrounding whitespace, which fixed-width warehouse exports pad numbers with.
 */
import type { ValueType } from '../../config/pipeline-spec.js';
import { Invalid } from './invalid.js';

/** Returns the converted value, or Invalid with the words for the reject reason. */
export type Converter = (value: unknown) => unknown;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const NOT_TEXT = new Invalid('is not text');
const NOT_INTEGER = new Invalid('is not an integer');
const INTEGER_RANGE = new Invalid('is too large for an integer');
const NOT_NUMBER = new Invalid('is not a number');
const NOT_BOOLEAN = new Invalid('is not a boolean (true/false, 1/0, yes/no)');
const NOT_YN = new Invalid('is not a Y/N flag (Y/N, true/false, 1/0, yes/no)');

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);
const Y_WORDS = new Set(['true', '1', 'yes', 'y']);
const N_WORDS = new Set(['false', '0', 'no', 'n']);

function toString(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  return NOT_TEXT;
}

function toInteger(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : Number.isInteger(value) ? INTEGER_RANGE : NOT_INTEGER;
  if (typeof value !== 'string') return NOT_INTEGER;
  const text = value.trim();
  if (!INTEGER.test(text)) return NOT_INTEGER;
  const n = Number(text);
  // Beyond 2^53 the number would silently change on the way to JSON.
  return Number.isSafeInteger(n) ? n : INTEGER_RANGE;
}

function toNumber(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NOT_NUMBER;
  if (typeof value !== 'string') return NOT_NUMBER;
  const text = value.trim();
  if (!DECIMAL.test(text)) return NOT_NUMBER;
  const n = Number(text);
  return Number.isFinite(n) ? n : NOT_NUMBER;
}

function words(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim().toLowerCase();
  if (typeof value === 'number') return String(value);
  return undefined;
}

function toBoolean(value: unknown): unknown {
  if (typeof value === 'boolean') return value;
  const w = words(value);
  if (w === undefined) return NOT_BOOLEAN;
  if (TRUE_WORDS.has(w)) return true;
  if (FALSE_WORDS.has(w)) return false;
  return NOT_BOOLEAN;
}

function toYn(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  const w = words(value);
  if (w === undefined) return NOT_YN;
  if (Y_WORDS.has(w)) return 'Y';
  if (N_WORDS.has(w)) return 'N';
  return NOT_YN;
}

export const CONVERTERS: Readonly<Record<ValueType, Converter>> = {
  string: toString,
  integer: toInteger,
  number: toNumber,
  boolean: toBoolean,
  yn: toYn,
};

export const VALUE_TYPES = Object.keys(CONVERTERS) as readonly ValueType[];

export function isValueType(name: unknown): name is ValueType {
  return typeof name === 'string' && Object.hasOwn(CONVERTERS, name);
}
