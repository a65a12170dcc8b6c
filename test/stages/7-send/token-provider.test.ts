import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, TransportError } from '../../../src/core/errors.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { delay, json, SECRET, startServer, testAgent, tokenAnswer, tokenProvider, type TestServer } from './harness.js';

let server: TestServer | undefined;
const agent = testAgent();
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('TokenProvider', () => {
  it('posts form-encoded client credentials and caches the token; concurrent callers share one fetch', async () => {
    let n = 0;
    server = await startServer(async (_req, res) => {
      await delay(50);
      tokenAnswer(res, ++n, '1899');
    });
    const tp = tokenProvider(server.origin, agent);
    const tokens = await Promise.all([tp.get(), tp.get(), tp.get()]);
    expect(tokens).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(await tp.get()).toBe('tok-1');
    expect(server.seen).toHaveLength(1);
    const req = server.seen[0]!;
    expect(req.url).toBe('/oauth2/token');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.text))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: SECRET,
    });
  });

  it('renews a short-lived token before it runs out (lifetime 2 s)', async () => {
    let n = 0;
    server = await startServer((_req, res) => tokenAnswer(res, ++n, 2));
    const clock = new VirtualClock();
    const tp = tokenProvider(server.origin, agent, { clock });
    expect(await tp.get()).toBe('tok-1');
    clock.advance(300);
    expect(await tp.get()).toBe('tok-1');
    // Renewal margin for 2 s is 1 s: the old token serves until 1 s, then a fresh one is fetched while the old still lives.
    clock.advance(699);
    expect(await tp.get()).toBe('tok-1');
    clock.advance(1);
    expect(await tp.get()).toBe('tok-2');
    expect(server.seen).toHaveLength(2);
  });

  it('counts the lifetime from when the token was asked for, not from when a slow answer arrived', async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    let n = 0;
    server = await startServer((_req, res) => {
      clock.advance(600); // the token endpoint takes 600 ms to answer
      tokenAnswer(res, ++n, 2);
    });
    const tp = tokenProvider(server.origin, agent, { clock });
    expect(await tp.get()).toBe('tok-1');
    // Issued at 0 (at the latest), lives until 2000, renewed 1 s before: due at 1000, not at 1600.
    clock.set(start + 1100);
    expect(await tp.get()).toBe('tok-2');
  });

  it('invalidate drops only the named token', async () => {
    let n = 0;
    server = await startServer((_req, res) => tokenAnswer(res, ++n));
    const tp = tokenProvider(server.origin, agent);
    const t1 = await tp.get();
    tp.invalidate('someone-else');
    expect(await tp.get()).toBe(t1);
    tp.invalidate(t1);
    expect(await tp.get()).toBe('tok-2');
  });

  it('refused credentials -> AuthError naming the status, never the secret', async () => {
    server = await startServer((_req, res) => json(res, 401, { error: 'invalid_client', error_description: `bad secret ${SECRET}` }));
    const tp = tokenProvider(server.origin, agent);
    const err = await tp.get().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthError);
    const e = err as AuthError;
    expect(e.message).toMatch(/^authentication refused/);
    expect(e.message).toContain('401');
    // On its own the refusal is exit 3; a run that had no item accepted yet restates it as exit 2 (restateRefusal).
    expect(e.code).toBe('ETL_AUTH_REVOKED');
    expect(e.exitCode).toBe(3);
    expect(e.context.status).toBe(401);
    const everything = [e.message, e.stack ?? '', JSON.stringify(e), e.describe(), String(e.cause ?? '')].join('\n');
    expect(everything).not.toContain(SECRET);
    // Refusals are not retried.
    expect(server.seen).toHaveLength(1);
  });

  it('retries 5xx and network failures at the token endpoint, then gives up with TransportError', async () => {
    let n = 0;
    server = await startServer((_req, res) => {
      n++;
      if (n === 1) json(res, 503, {});
      else if (n === 2) res.socket?.destroy();
      else tokenAnswer(res, n);
    });
    const tp = tokenProvider(server.origin, agent);
    expect(await tp.get()).toBe('tok-3');

    await server.close();
    server = await startServer((_req, res) => json(res, 500, {}));
    const retries: unknown[] = [];
    const clock = new VirtualClock({ autoAdvance: true });
    const tp2 = tokenProvider(server.origin, agent, {
      maxRetries: 2,
      onRetry: (r) => retries.push(r),
      clock,
      retry: { baseMs: 100, capMs: 1000, random: () => 0.5 },
    });
    await expect(tp2.get()).rejects.toBeInstanceOf(TransportError);
    expect(server.seen).toHaveLength(3);
    // Every retry is reported: which one, how long it waits, why; and it waits that long.
    expect(retries).toEqual(
      [50, 100].map((delayMs, i) => ({
        url: `${server!.origin}/oauth2/token`,
        attempt: i + 1,
        maxRetries: 2,
        delayMs,
        reason: 'HTTP 500',
      })),
    );
    expect(clock.slept).toEqual([50, 100]);
  });

  it('waits out a Retry-After of the token endpoint, and gives up on one longer than 5 minutes', async () => {
    let n = 0;
    server = await startServer((_req, res) => (++n === 1 ? json(res, 503, {}, { 'retry-after': '30' }) : tokenAnswer(res, n)));
    const clock = new VirtualClock({ autoAdvance: true });
    const tp = tokenProvider(server.origin, agent, { clock });
    expect(await tp.get()).toBe('tok-2');
    expect(clock.slept).toEqual([30_000]);

    await server.close();
    server = await startServer((_req, res) => json(res, 503, {}, { 'retry-after': '301' }));
    const clock2 = new VirtualClock({ autoAdvance: true });
    const error = await tokenProvider(server.origin, agent, { clock: clock2 })
      .get()
      .then(
        () => undefined,
        (e: unknown) => e as TransportError,
      );
    expect(error).toBeInstanceOf(TransportError);
    expect(error?.message).toBe(
      `token endpoint ${server.origin}/oauth2/token asked to wait 301 s before retrying, longer than the 300 s allowed`,
    );
    expect(error?.context).toEqual({ url: `${server.origin}/oauth2/token`, status: 503 });
    expect(clock2.slept).toEqual([]);
    expect(server.seen).toHaveLength(1);
  });

  it('names the token URL when it gives up, without user info or query that could hold a secret', async () => {
    server = await startServer((_req, res) => json(res, 503, {}));
    const url = new URL(`${server.origin}/oauth2/token?client_secret=${SECRET}`);
    url.username = 'user';
    url.password = SECRET;
    const tp = tokenProvider(server.origin, agent, { tokenUrl: url.href, maxRetries: 1 });
    const error = await tp.get().then(
      () => undefined,
      (e: unknown) => e as TransportError,
    );
    expect(error?.message).toBe(`token endpoint ${server.origin}/oauth2/token failing after 1 retries (HTTP 503)`);
    expect(JSON.stringify(error?.context)).not.toContain(SECRET);
  });
});
