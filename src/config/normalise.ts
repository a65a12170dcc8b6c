/**
 * The human forms of the pipeline file (`2mb`, `60s`, `20/s`, `1%`) as the numbers the
 * pipeline uses. Pure; a bad value throws InvalidValueError and the loader adds file and line.
 */

export class InvalidValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidValueError';
  }
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([km]?b)?\s*$/i;
const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Bytes from a number of bytes or `512kb`, `2mb`, `100b` (1024-based); at least 1. */
export function parseSize(input: number | string): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 1)
      throw new InvalidValueError(`a size must be a whole number of bytes of at least 1, got ${input}`);
    return input;
  }
  const m = SIZE.exec(input);
  if (m === null) throw new InvalidValueError(`"${input}" is not a size (use a number of bytes, or e.g. 512kb, 2mb)`);
  const bytes = Math.floor(Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1));
  if (bytes < 1) throw new InvalidValueError(`a size must be at least 1 byte, got "${input}"`);
  return bytes;
}

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/;
const DURATION_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds from a number of seconds or `500ms`, `60s`, `2m`; at least 1 ms. */
export function parseDurationMs(input: number | string): number {
  let ms: number;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new InvalidValueError(`a duration must be a finite number of seconds, got ${input}`);
    ms = input * 1000;
  } else {
    const m = DURATION.exec(input);
    if (m === null) throw new InvalidValueError(`"${input}" is not a duration (use e.g. 500ms, 60s, 2m, or a number of seconds)`);
    ms = Number(m[1]) * (DURATION_MS[m[2] ?? 's'] ?? 1000);
  }
  const rounded = Math.round(ms);
  if (rounded < 1) throw new InvalidValueError(`a duration must be at least 1ms, got ${JSON.stringify(input)}`);
  return rounded;
}

const AGE = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$/;
const AGE_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from a number of seconds or `30d`, `12h`, `90m`, `45s`; at least 1 s. */
export function parseAgeMs(input: number | string): number {
  let ms: number;
  if (typeof input === 'number') {
    ms = input * 1000;
  } else {
    const m = AGE.exec(input);
    if (m === null) throw new InvalidValueError(`"${input}" is not an age (use e.g. 30d, 12h, 90m, 45s, or a number of seconds)`);
    ms = Number(m[1]) * (AGE_MS[m[2] ?? 's'] ?? 1000);
  }
  if (!Number.isFinite(ms) || ms < 1000) throw new InvalidValueError(`an age must be at least 1s, got ${JSON.stringify(input)}`);
  return Math.round(ms);
}

const RATE = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|m)\s*$/;

/** Requests per second from a number per second or `20/s`, `600/m`; more than 0. */
export function parseRate(input: number | string): number {
  let perSecond: number;
  if (typeof input === 'number') {
    perSecond = input;
  } else {
    const m = RATE.exec(input);
    if (m === null) throw new InvalidValueError(`"${input}" is not a rate (use e.g. 20/s, 600/m, or a number per second)`);
    perSecond = m[2] === 'm' ? Number(m[1]) / 60 : Number(m[1]);
  }
  if (!Number.isFinite(perSecond) || perSecond <= 0)
    throw new InvalidValueError(`a rate must be more than 0, got ${JSON.stringify(input)}`);
  return perSecond;
}

const PERCENT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

/** A reject budget: a count of records, or `1%` as the fraction 0.01 of the records read. */
export function parseMaxRejects(input: number | string): { count: number } | { fraction: number } {
  return parseCountOrShare(input, 'maxRejects');
}

/** A count (`1000`) or a percentage (`5%`, as a fraction) of something the caller names. */
export function parseCountOrShare(input: number | string, what: string): { count: number } | { fraction: number } {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) throw new InvalidValueError(`${what} must be a whole number of at least 0, got ${input}`);
    return { count: input };
  }
  const m = PERCENT.exec(input);
  if (m === null) throw new InvalidValueError(`"${input}" is not a count or a percentage (use e.g. 100 or 1%)`);
  const percent = Number(m[1]);
  if (percent > 100) throw new InvalidValueError(`a percentage must be at most 100%, got "${input}"`);
  return { fraction: percent / 100 };
}
