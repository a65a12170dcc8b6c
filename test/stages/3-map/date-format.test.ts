import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { compileDateFormat, daysInMonth, isoDate } from '../../../src/stages/3-map/date-format.js';
import { Invalid } from '../../../src/stages/3-map/invalid.js';

function why(result: string | Invalid): string {
  if (!(result instanceof Invalid)) throw new Error(`expected Invalid, got ${result}`);
  return result.why;
}

describe('calendar arithmetic', () => {
  it('knows month lengths and leap years', () => {
    expect(daysInMonth(2020, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2021, 4)).toBe(30);
    expect(daysInMonth(2021, 12)).toBe(31);
    expect(isoDate(5, 1, 2)).toBe('0005-01-02');
    expect(isoDate(0, 1, 1)).toBeUndefined();
  });
});

describe('compileDateFormat', () => {
  it('parses DD-MM-YYYY into ISO', () => {
    const p = compileDateFormat('DD-MM-YYYY');
    expect(p.parse('01-02-2020')).toBe('2020-02-01');
    expect(p.parse('29-02-2020')).toBe('2020-02-29');
    expect(p.parse(' 31-12-1999 ')).toBe('1999-12-31');
  });

  it('parses other layouts and single-digit tokens', () => {
    expect(compileDateFormat('YYYYMMDD').parse('20201231')).toBe('2020-12-31');
    expect(compileDateFormat('D/M/YYYY').parse('3/7/2021')).toBe('2021-07-03');
    expect(compileDateFormat('D/M/YYYY').parse('13/11/2021')).toBe('2021-11-13');
    expect(compileDateFormat('MM/DD/YYYY').parse('12/31/2021')).toBe('2021-12-31');
    expect(compileDateFormat('YYYY.MM.DD').parse('2021.01.05')).toBe('2021-01-05');
    // `.` is a literal, not "any character".
    expect(why(compileDateFormat('YYYY.MM.DD').parse('2021x01x05'))).toBe('does not match the date format YYYY.MM.DD');
  });

  it('tells an unparsable value from an impossible date', () => {
    const p = compileDateFormat('DD-MM-YYYY');
    expect(why(p.parse('31-02-2020'))).toBe('is not a real date (DD-MM-YYYY)');
    expect(why(p.parse('01-13-2020'))).toBe('is not a real date (DD-MM-YYYY)');
    expect(why(p.parse('29-02-2023'))).toBe('is not a real date (DD-MM-YYYY)');
    expect(why(p.parse('00-01-2020'))).toBe('is not a real date (DD-MM-YYYY)');
    expect(why(p.parse('2020-02-01'))).toBe('does not match the date format DD-MM-YYYY');
    expect(why(p.parse('1-2-2020'))).toBe('does not match the date format DD-MM-YYYY');
    expect(why(p.parse('01-02-2020x'))).toBe('does not match the date format DD-MM-YYYY');
  });

  it('ISO takes the date part of a date or datetime', () => {
    const p = compileDateFormat('ISO');
    expect(p.parse('2020-02-29')).toBe('2020-02-29');
    expect(p.parse('2020-02-29T23:59:59Z')).toBe('2020-02-29');
    // The date as written: no time zone conversion moves it to another day.
    expect(p.parse('2020-03-01T00:30:00+02:00')).toBe('2020-03-01');
    expect(p.parse('2020-03-01 08:15')).toBe('2020-03-01');
    expect(p.parse('2020-03-01T08:15:00.123+0100')).toBe('2020-03-01');
    expect(why(p.parse('2023-02-29'))).toBe('is not a real date (ISO)');
    expect(why(p.parse('2023-02-01T25:00'))).toBe('is not a real date (ISO)');
    expect(why(p.parse('01-02-2023'))).toMatch(/^does not match the date format ISO/);
  });

  it('refuses formats it cannot parse, naming where', () => {
    const bad: Array<[string, RegExp]> = [
      ['YY-MM-DD', /two-digit year/],
      ['dd-mm-yyyy', /unknown token/],
      ['DD-MM', /has no year/],
      ['DD-MM-YYYY-DD', /names the day twice/],
      ['DMYYYY', /ambiguous/],
      ['YYYYMD', /ambiguous/],
      ['', /is empty/],
      ['DD-MMM-YYYY', /ambiguous|twice/],
    ];
    for (const [format, message] of bad) {
      expect(() => compileDateFormat(format, 'mapping.dateOfBirth'), format).toThrow(ConfigError);
      expect(() => compileDateFormat(format, 'mapping.dateOfBirth'), format).toThrow(message);
    }
    expect(() => compileDateFormat('YY-MM-DD', 'mapping.dateOfBirth')).toThrow(/^mapping\.dateOfBirth: date format "YY-MM-DD"/);
  });
});
