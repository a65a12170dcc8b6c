import { describe, expect, it } from 'vitest';
import { errorMessages, resultEvent, resultItems, resultKey } from '../../../src/stages/7-send/api-answer.js';
import { KeyGate } from '../../../src/stages/7-send/key-gate.js';
import { matchResults } from '../../../src/stages/7-send/match-results.js';
import { itemMessages, parsePointer } from '../../../src/stages/7-send/pointers.js';
import { RateLimiter } from '../../../src/stages/7-send/rate-limiter.js';
import { parseRetryAfter } from '../../../src/stages/7-send/retry-after.js';
import { parseTokenResponse, renewMarginSec } from '../../../src/stages/7-send/token-provider.js';
import { TransportError } from '../../../src/core/errors.js';

describe('parseTokenResponse', () => {
  it('reads expires_in given as a string', () => {
    expect(parseTokenResponse({ access_token: 'abc', token_type: 'BearerToken', expires_in: '1899', scope: '' })).toEqual({
      token: 'abc',
      expiresInSec: 1899,
    });
  });
  it('reads expires_in given as a number', () => {
    expect(parseTokenResponse({ access_token: 'eyJ.x.y', token_type: 'Bearer', expires_in: 1800, scope: 'profile' })).toEqual({
      token: 'eyJ.x.y',
      expiresInSec: 1800,
    });
  });
  it('assumes 30 minutes when expires_in is absent or unreadable', () => {
    expect(parseTokenResponse({ access_token: 'a' }).expiresInSec).toBe(1800);
    expect(parseTokenResponse({ access_token: 'a', expires_in: 'soon' }).expiresInSec).toBe(1800);
    expect(parseTokenResponse({ access_token: 'a', expires_in: -5 }).expiresInSec).toBe(1800);
  });
  it('refuses an answer without a token, without echoing the body', () => {
    expect(() => parseTokenResponse({ token: 'zzz-secretish' })).toThrow(TransportError);
    try {
      parseTokenResponse({ token: 'zzz-secretish' });
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('zzz');
    }
    expect(() => parseTokenResponse('nope')).toThrow(TransportError);
  });
  it('renews 10 % before expiry, at least 30 s, at most half the lifetime', () => {
    expect(renewMarginSec(1800)).toBe(180);
    expect(renewMarginSec(120)).toBe(30);
    expect(renewMarginSec(2)).toBe(1);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });
  it('reads an HTTP date, never negative', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });
  it('ignores absent or garbled values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter('soon-ish', now)).toBeUndefined();
  });
});

describe('pointers', () => {
  it('parses item and field pointers', () => {
    expect(parsePointer('#/users/12: required key [firstName] not found', 'users')).toEqual({
      index: 12,
      message: 'required key [firstName] not found',
    });
    expect(parsePointer('#/users/3/email: string [x] is not a valid email address', 'users')).toEqual({
      index: 3,
      message: 'email: string [x] is not a valid email address',
    });
    expect(parsePointer('#/users/0/addresses/1/country: bad', 'users')).toEqual({ index: 0, message: 'addresses/1/country: bad' });
  });
  it('ignores other lists and plain messages', () => {
    expect(parsePointer('#/usergroups/1: x', 'users')).toBeUndefined();
    expect(parsePointer('#: required key [users] not found', 'users')).toBeUndefined();
    expect(parsePointer('Invalid JSON', 'users')).toBeUndefined();
  });
  it('groups messages by index and drops pointers past the request', () => {
    const m = itemMessages(['#/users/1: a', '#/users/1/email: b', '#/users/7: c', 'other'], 'users', 5);
    expect([...m.entries()]).toEqual([[1, ['a', 'email: b']]]);
  });
});

describe('api answers', () => {
  it('reads the error envelope', () => {
    expect(errorMessages({ error: { code: 10007, messages: ['#/users/0: x'], status: 400 } })).toEqual(['#/users/0: x']);
    expect(errorMessages('junk')).toEqual([]);
  });
  it('reads result items in place, failure text from error, else from message for a failure', () => {
    const prov = { file: 'in.csv', line: 2, seq: 0 };
    const items = resultItems({
      data: [{ action: 'update', error: 'Attribute with id [800] not found.', key: 800, lookupKey: 'id', success: false }],
    });
    expect(items?.map(resultKey)).toEqual(['800']);
    expect(resultEvent(items![0], prov, '800', 3)).toEqual({
      kind: 'result',
      prov,
      key: '800',
      action: 'update',
      id: null,
      success: false,
      error: 'Attribute with id [800] not found.',
      batch: 3,
    });
    const ok = resultEvent({ action: 'create', id: 7, key: 'U1', success: true, message: 'created' }, prov, 'U1', 1);
    expect(ok).toEqual({ kind: 'result', prov, key: 'U1', action: 'create', id: 7, success: true, batch: 1 });
    expect('error' in ok).toBe(false);
    expect(resultEvent({ success: false, message: 'no such parent' }, prov, 'U1', 1).error).toBe('no such parent');
    expect(resultEvent(null, prov, 'U1', 1)).toEqual({ kind: 'result', prov, key: 'U1', action: '', id: null, success: false, batch: 1 });
    expect(resultKey('junk')).toBeUndefined();
    expect(resultItems({ messages: [] })).toBeUndefined();
  });
  it('matches by index when keys agree, else by key, leaving gaps', () => {
    const r = (key: string) => ({ action: 'create', id: 1, key, success: true });
    const a = r('1');
    const b = r('2');
    expect(matchResults(['1', '2'], [a, b], resultKey)).toEqual([a, b]);
    expect(matchResults(['1', '2'], [b, a], resultKey)).toEqual([a, b]);
    expect(matchResults(['1', '2', '3'], [b], resultKey)).toEqual([undefined, b, undefined]);
  });
});

describe('RateLimiter', () => {
  it('spaces requests at the rate, with a burst after idle', () => {
    let t = 0;
    const lim = new RateLimiter({ rate: 10, now: () => t });
    expect([lim.reserve(), lim.reserve(), lim.reserve()]).toEqual([0, 100, 200]);
    t = 1000;
    expect(lim.reserve()).toBe(0);
    const burst = new RateLimiter({ rate: 10, burst: 3, now: () => t });
    expect([burst.reserve(), burst.reserve(), burst.reserve(), burst.reserve()]).toEqual([0, 0, 0, 100]);
  });
  it('rejects a non-positive rate', () => {
    expect(() => new RateLimiter({ rate: 0 })).toThrow(RangeError);
  });
});

describe('KeyGate', () => {
  const flush = () => new Promise((r) => setImmediate(r));
  it('holds a batch sharing a key with one in flight, lets unrelated ones pass', async () => {
    const gate = new KeyGate();
    const order: string[] = [];
    const r1 = await gate.acquire(['a', 'b']);
    const p2 = gate.acquire(['b', 'c']).then((r) => (order.push('2'), r));
    const p3 = gate.acquire(['c']).then((r) => (order.push('3'), r));
    const p4 = gate.acquire(['d']).then((r) => (order.push('4'), r));
    await flush();
    // 3 shares only with waiting 2, which must go first; 4 is free.
    expect(order).toEqual(['4']);
    r1();
    await flush();
    expect(order).toEqual(['4', '2']);
    (await p2)();
    await flush();
    expect(order).toEqual(['4', '2', '3']);
    (await p3)();
    (await p4)();
    expect(gate.heldCount).toBe(0);
    expect(gate.waiting).toBe(0);
  });
  it('a key given twice holds until its one release, then lets the next batch with it go', async () => {
    const gate = new KeyGate();
    const r1 = await gate.acquire(['x', 'y', 'x']);
    let granted = false;
    const p2 = gate.acquire(['x']).then((r) => ((granted = true), r));
    await Promise.resolve();
    expect([granted, gate.heldCount, gate.waiting]).toEqual([false, 2, 1]);
    r1();
    const r2 = await p2;
    expect([granted, gate.heldCount, gate.waiting]).toEqual([true, 1, 0]);
    r2();
    expect(gate.heldCount).toBe(0);
  });
  it('release is idempotent', async () => {
    const gate = new KeyGate();
    const r = await gate.acquire(['x', 'x']);
    r();
    r();
    expect(gate.heldCount).toBe(0);
  });
});
