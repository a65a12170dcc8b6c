import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/emulator/index.js';
import { RequestLog } from '../../src/emulator/request-log.js';

const entry = (n: number, status: LogEntry['status'] = 200): LogEntry => ({
  time: n,
  path: '/v2/usergroups/bulk/id',
  status,
  keys: [String(n % 3)],
  directives: [],
});

describe('request log', () => {
  it('keeps totals for every request but only the last N entries', () => {
    const log = new RequestLog(5);
    for (let i = 0; i < 23; i++) log.record(entry(i, i % 2 === 0 ? 200 : 'dropped'));
    expect(log.total).toBe(23);
    expect(log.countByStatus(200)).toBe(12);
    expect(log.countByStatus('dropped')).toBe(11);
    expect(log.entries().map((e) => e.time)).toEqual([18, 19, 20, 21, 22]);
  });

  it('counts a key only in requests answered 200', () => {
    const log = new RequestLog();
    log.record(entry(0));
    log.record(entry(3, 429));
    log.record(entry(1));
    expect(log.timesAcknowledged('0')).toBe(1);
    expect(log.duplicates()).toEqual([]);
    log.record(entry(3));
    expect(log.timesAcknowledged('0')).toBe(2);
    expect(log.duplicates()).toEqual(['0']);
  });
});
