/**
 * Source date formats (`DD-MM-YYYY`, `YYYYMMDD`, `ISO`, …) compiled once into a regular
 * expression plus the positions of year, month and day. Validity is checked with calendar
 * arithmetic, never a Date object, so no time zone can shift a day.
 */
import { ConfigError } from '../../core/errors.js';
import { Invalid } from './invalid.js';

export interface DateParser {
  readonly format: string;
  /** The ISO `YYYY-MM-DD` date, or why the text is not one. */
  parse(text: string): string | Invalid;
}

type Part = 'year' | 'month' | 'day';

interface Token {
  readonly text: string;
  readonly part: Part;
  readonly pattern: string;
  readonly fixedWidth: boolean;
}

// Longest first, so `MM` is not read as two `M`s.
const TOKENS: readonly Token[] = [
  { text: 'YYYY', part: 'year', pattern: '(\\d{4})', fixedWidth: true },
  { text: 'MM', part: 'month', pattern: '(\\d{2})', fixedWidth: true },
  { text: 'DD', part: 'day', pattern: '(\\d{2})', fixedWidth: true },
  { text: 'M', part: 'month', pattern: '(\\d{1,2})', fixedWidth: false },
  { text: 'D', part: 'day', pattern: '(\\d{1,2})', fixedWidth: false },
];

const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;
const LETTER = /[A-Za-z]/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The ISO date for the parts, or undefined when the calendar has no such day. */
export function isoDate(year: number, month: number, day: number): string | undefined {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function configError(where: string, format: string, why: string): ConfigError {
  return new ConfigError(`${where}: date format ${JSON.stringify(format)} ${why}`);
}

function compileIso(format: string): DateParser {
  const notReal = new Invalid(`is not a real date (${format})`);
  const noMatch = new Invalid(`does not match the date format ${format} (YYYY-MM-DD, optionally with a time)`);
  return {
    format,
    parse(text) {
      const m = ISO_PATTERN.exec(text.trim());
      if (m === null) return noMatch;
      if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 60))) {
        return notReal;
      }
      return isoDate(Number(m[1]), Number(m[2]), Number(m[3])) ?? notReal;
    },
  };
}

/**
 * Compiles a source date format. Tokens: YYYY, MM, M, DD, D (upper case); any other
 * non-letter is a literal separator. `ISO` takes the date part of an ISO date or datetime.
 * Throws ConfigError (prefixed with `where`) for a format it cannot parse.
 */
export function compileDateFormat(format: string, where = 'date'): DateParser {
  if (format.toUpperCase() === 'ISO') return compileIso(format);
  if (format.length === 0) throw configError(where, format, 'is empty');

  const groups: Part[] = [];
  let pattern = '^';
  let previousNumeric: Token | undefined;
  let i = 0;
  while (i < format.length) {
    const token = TOKENS.find((t) => format.startsWith(t.text, i));
    if (token !== undefined) {
      if (groups.includes(token.part)) throw configError(where, format, `names the ${token.part} twice`);
      if (previousNumeric !== undefined && !(previousNumeric.fixedWidth && token.fixedWidth)) {
        throw configError(where, format, `is ambiguous: ${previousNumeric.text} and ${token.text} need a separator between them`);
      }
      groups.push(token.part);
      pattern += token.pattern;
      previousNumeric = token;
      i += token.text.length;
      continue;
    }
    const ch = format[i] as string;
    if (format.startsWith('YY', i)) {
      throw configError(where, format, 'uses a two-digit year (YY), which is ambiguous; use YYYY');
    }
    if (LETTER.test(ch)) {
      throw configError(
        where,
        format,
        `has an unknown token at ${JSON.stringify(format.slice(i))} (tokens are upper case: YYYY, MM, M, DD, D; or the whole format ISO)`,
      );
    }
    pattern += ch.replace(REGEX_SPECIAL, '\\$&');
    previousNumeric = undefined;
    i += 1;
  }
  for (const part of ['year', 'month', 'day'] as const) {
    if (!groups.includes(part)) throw configError(where, format, `has no ${part}`);
  }
  pattern += '$';

  const regex = new RegExp(pattern);
  const yearGroup = groups.indexOf('year') + 1;
  const monthGroup = groups.indexOf('month') + 1;
  const dayGroup = groups.indexOf('day') + 1;
  // Made once: the reason text is the same for every record that fails.
  const notReal = new Invalid(`is not a real date (${format})`);
  const noMatch = new Invalid(`does not match the date format ${format}`);
  return {
    format,
    parse(text) {
      const m = regex.exec(text.trim());
      if (m === null) return noMatch;
      return isoDate(Number(m[yearGroup]), Number(m[monthGroup]), Number(m[dayGroup])) ?? notReal;
    },
  };
}
