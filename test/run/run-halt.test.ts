import { describe, expect, it } from 'vitest';
import { RejectBudgetError, TransportError } from '../../src/core/errors.js';
import { RunHalt } from '../../src/run/run-halt.js';

describe('RunHalt', () => {
  it('a fatal error stops the reading and is raised after the drain; the first one wins', () => {
    const halt = new RunHalt();
    expect(halt.signal.aborted).toBe(false);
    expect(() => halt.throwIfFailed()).not.toThrow();
    const first = new TransportError('gave up after 2 retries');
    halt.fail(first);
    halt.fail(new TransportError('later'));
    expect(halt.signal.aborted).toBe(true);
    expect(halt.error).toBe(first);
    expect(() => halt.throwIfFailed()).toThrow(first);
  });

  it('an external stop (a signal) stops the reading without being an error, also when already aborted', () => {
    const ctl = new AbortController();
    const halt = new RunHalt(ctl.signal);
    ctl.abort();
    expect(halt.signal.aborted).toBe(true);
    expect(halt.error).toBeUndefined();
    const before = new AbortController();
    before.abort();
    expect(new RunHalt(before.signal).signal.aborted).toBe(true);
  });

  it('guard turns a throwing check into a halt, and runs it no more once failed', () => {
    const halt = new RunHalt();
    expect(halt.guard(undefined)).toBeUndefined();
    let calls = 0;
    const check = halt.guard(() => {
      calls++;
      if (calls >= 2) throw new RejectBudgetError('11 records rejected, more than errors.maxRejects (10)');
    })!;
    check();
    expect(halt.signal.aborted).toBe(false);
    expect(() => check()).not.toThrow();
    expect(halt.error).toBeInstanceOf(RejectBudgetError);
    check();
    expect(calls).toBe(2);
  });
});
