import { describe, expect, it } from 'vitest';
import { InvalidValueError, parseDurationMs, parseMaxRejects, parseRate, parseSize } from '../../src/config/index.js';

describe('sizes', () => {
  it('reads numbers of bytes and b/kb/mb, 1024-based, any case', () => {
    expect(parseSize(1500)).toBe(1500);
    expect(parseSize('100')).toBe(100);
    expect(parseSize('100b')).toBe(100);
    expect(parseSize('512kb')).toBe(524_288);
    expect(parseSize('2mb')).toBe(2_097_152);
    expect(parseSize('2MB')).toBe(2_097_152);
    expect(parseSize(' 1.5 kb ')).toBe(1536);
  });

  it('refuses what is not a size', () => {
    for (const bad of ['2 megabytes', '2gb', '-1kb', 'mb', '', '0', '0kb']) expect(() => parseSize(bad)).toThrow(InvalidValueError);
    for (const bad of [0, -5, 1.5, Number.NaN]) expect(() => parseSize(bad)).toThrow(InvalidValueError);
  });
});

describe('durations', () => {
  it('reads ms, s, m and plain numbers of seconds', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('60s')).toBe(60_000);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('30')).toBe(30_000);
    expect(parseDurationMs(60)).toBe(60_000);
    expect(parseDurationMs(0.25)).toBe(250);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['soon', '10h', '0s', '0.1ms', '-1s', '1 min']) expect(() => parseDurationMs(bad)).toThrow(InvalidValueError);
    for (const bad of [0, -1, Number.POSITIVE_INFINITY]) expect(() => parseDurationMs(bad)).toThrow(InvalidValueError);
  });
});

describe('rates', () => {
  it('reads per second, per minute and plain numbers', () => {
    expect(parseRate('20/s')).toBe(20);
    expect(parseRate('600/m')).toBe(10);
    expect(parseRate('1 / m')).toBeCloseTo(1 / 60);
    expect(parseRate(2.5)).toBe(2.5);
  });

  it('refuses what is not a rate', () => {
    for (const bad of ['20', '20/h', '0/s', 'fast', '/s']) expect(() => parseRate(bad)).toThrow(InvalidValueError);
    for (const bad of [0, -3, Number.NaN]) expect(() => parseRate(bad)).toThrow(InvalidValueError);
  });
});

describe('reject budgets', () => {
  it('reads counts and percentages', () => {
    expect(parseMaxRejects(0)).toEqual({ count: 0 });
    expect(parseMaxRejects(250)).toEqual({ count: 250 });
    expect(parseMaxRejects('1%')).toEqual({ fraction: 0.01 });
    expect(parseMaxRejects('0.5 %')).toEqual({ fraction: 0.005 });
    expect(parseMaxRejects('100%')).toEqual({ fraction: 1 });
  });

  it('refuses what is neither', () => {
    for (const bad of ['lots', '101%', '%', '-1%', '10']) expect(() => parseMaxRejects(bad)).toThrow(InvalidValueError);
    for (const bad of [-1, 2.5]) expect(() => parseMaxRejects(bad)).toThrow(InvalidValueError);
  });
});
