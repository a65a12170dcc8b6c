/**
 * OAuth2 client-credentials tokens for the whole run: one cached token, shared by every request,
 * fetched once however many requests ask at the same moment, and renewed before it runs out so
 * a long run never sends a token in its last seconds of life.
 *
 * The client secret and the token never appear in an error message, an error's context or cause,
 * or an event: refusals say "authentication refused" with the HTTP status only.
 */
import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from '../../core/clock.js';
import { AuthError, TransportError } from '../../core/errors.js';
import { dispatcherTo, proxyLabel, proxyRefusal } from '../../core/proxy.js';
import { Redactor } from '../../core/redactor.js';
import { retry, retryPolicy, type RetryPolicy, type RetryStop, type RetryTuning, type TryResult } from '../../core/retry-policy.js';
import { parseJson, postOnce, type HttpAnswer } from './http-exchange.js';
import { parseRetryAfter } from './retry-after.js';
import { describeNetworkError, isRetryStatus, isTransientNetworkError } from './transient.js';

/** Documented token lifetime (FACTS.md: 30 minutes); used when the answer has no expires_in. */
const DEFAULT_LIFETIME_SEC = 1800;

export interface TokenProviderOptions {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Defaults to a Pool of this provider's own, closed by close(). */
  readonly dispatcher?: Dispatcher;
  /** The proxy to go through (core/proxy.ts decides); only with the default dispatcher. */
  readonly proxy?: URL;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Backoff, jitter and the longest Retry-After waited out (5 min: longer gives up). */
  readonly retry?: RetryTuning;
  /** For token lifetimes and retry waits. Default the system clock. */
  readonly clock?: Clock;
  /** Learns each token issued, and takes the secrets out of what the token endpoint answers; default one of its own holding the client secret. */
  readonly redactor?: Redactor;
  /** Before each retry of the token endpoint (1-based attempt), so a target that is down is never silent. */
  readonly onRetry?: (r: {
    readonly url: string;
    readonly attempt: number;
    readonly maxRetries: number;
    readonly delayMs: number;
    readonly reason: string;
  }) => void;
}

/** The URL as messages show it: no user info, query or fragment, which could hold a credential. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(an unreadable URL)';
  }
}

export interface ParsedToken {
  readonly token: string;
  readonly expiresInSec: number;
}

/**
 * Reads both documented token shapes: `expires_in` as a number or a numeric string; absent or
 * unreadable means the documented 30 minutes. Throws (without echoing the body, which may hold
 * a token) when there is no access token.
 */
export function parseTokenResponse(json: unknown): ParsedToken {
  if (typeof json !== 'object' || json === null)
    throw new TransportError('the token endpoint answered something that is not a JSON object');
  const o = json as Record<string, unknown>;
  const token = o.access_token;
  if (typeof token !== 'string' || token === '') throw new TransportError('the token endpoint answered without an access_token');
  const raw = o.expires_in;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  const expiresInSec = Number.isFinite(n) && n > 0 ? n : DEFAULT_LIFETIME_SEC;
  return { token, expiresInSec };
}

/**
 * Seconds before expiry at which to renew: 10 % of the lifetime, at least 30 s, but never more
 * than half the lifetime, so a 2-second test token is renewed after 1 s instead of never used.
 */
export function renewMarginSec(lifetimeSec: number): number {
  return Math.min(Math.max(30, lifetimeSec * 0.1), lifetimeSec / 2);
}

/** A try of the token endpoint worth repeating: why, and the HTTP status when there was an answer. */
interface Failure {
  readonly reason: string;
  readonly status?: number;
}

export class TokenProvider {
  private readonly options: TokenProviderOptions;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  /** The client secret and every token issued: never let through from an answer. */
  readonly redactor: Redactor;
  private cached: { token: string; renewAt: number } | undefined;
  /** Said after a network failure's reason: which proxy the request went through. */
  private readonly via: string;
  private inFlight: Promise<string> | undefined;

  constructor(options: TokenProviderOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.policy = retryPolicy(options.maxRetries, options.retry);
    this.redactor = options.redactor ?? new Redactor();
    this.redactor.add(options.clientSecret);
    this.via = options.proxy !== undefined ? ` (through the proxy ${proxyLabel(options.proxy)})` : '';
    if (options.dispatcher !== undefined) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = dispatcherTo(new URL(options.tokenUrl), options.proxy);
      this.ownsDispatcher = true;
    }
  }

  /** A token valid for a while yet. */
  get(): Promise<string> {
    const c = this.cached;
    if (c !== undefined && this.clock.now() < c.renewAt) return Promise.resolve(c.token);
    if (this.inFlight === undefined) {
      this.inFlight = this.fetchToken().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  /** The API refused this token (401): drop it so the next get() fetches a new one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async fetchToken(): Promise<string> {
    const { tokenUrl, clientId, clientSecret, timeoutMs, maxRetries } = this.options;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const shown = safeUrl(tokenUrl);
    const tryOnce = async (): Promise<TryResult<string, Failure>> => {
      let answer: HttpAnswer;
      // The lifetime runs from when the server issued the token, which is before its answer
      // arrived: counting from the request's start keeps a slow token endpoint from eating the margin.
      const sentAt = this.clock.now();
      try {
        answer = await postOnce(this.dispatcher, tokenUrl, headers, body, timeoutMs);
      } catch (e) {
        // The cause is left off on purpose: undici errors can carry request options, and those hold the secret.
        const refused = proxyRefusal(e, this.options.proxy);
        if (refused !== undefined) throw refused;
        if (!isTransientNetworkError(e))
          throw new TransportError(`token endpoint ${shown} unreachable: ${describeNetworkError(e)}${this.via}`, { url: shown });
        return { ok: false, failure: { reason: describeNetworkError(e) + this.via } };
      }
      const { status } = answer;
      if (status >= 200 && status < 300) {
        const parsed = parseTokenResponse(parseJson(answer.text));
        const renewAt = sentAt + (parsed.expiresInSec - renewMarginSec(parsed.expiresInSec)) * 1000;
        this.redactor.add(parsed.token);
        this.cached = { token: parsed.token, renewAt };
        return { ok: true, value: parsed.token };
      }
      if (status === 400 || status === 401 || status === 403) {
        throw new AuthError(
          `authentication refused by the token endpoint (HTTP ${status}${oauthErrorCode(this.redactor.redact(answer.text))}); check the client id and secret`,
          { status, url: shown },
        );
      }
      if (!(status >= 500 || isRetryStatus(status))) {
        throw new TransportError(`token endpoint ${shown} answered HTTP ${status}`, { status, url: shown });
      }
      const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], this.clock.now());
      return { ok: false, failure: { reason: `HTTP ${status}`, status }, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    };
    return retry(tryOnce, {
      policy: this.policy,
      clock: this.clock,
      onRetry: (attempt, delayMs, f) => this.options.onRetry?.({ url: shown, attempt, maxRetries, delayMs, reason: f.reason }),
      giveUp: (stop, f) => this.giveUp(stop, f, shown),
    });
  }

  private giveUp(stop: RetryStop, f: Failure, shown: string): TransportError {
    const context = { url: shown, ...(f.status !== undefined ? { status: f.status } : {}) };
    if (stop.why === 'retry-after-too-long') {
      const maxAfter = this.policy.maxRetryAfterMs;
      return new TransportError(
        `token endpoint ${shown} asked to wait ${Math.ceil(stop.retryAfterMs / 1000)} s before retrying, longer than the ${maxAfter / 1000} s allowed`,
        context,
      );
    }
    const what = f.status === undefined ? 'unreachable' : 'failing';
    return new TransportError(`token endpoint ${shown} ${what} after ${this.policy.maxRetries} retries (${f.reason})`, context);
  }
}

/** The OAuth `error` code (RFC 6749 §5.2: a fixed vocabulary), never free text that might echo input. */
function oauthErrorCode(text: string): string {
  const json = parseJson(text);
  if (typeof json !== 'object' || json === null) return '';
  const code = (json as Record<string, unknown>).error;
  return typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? `, ${code}` : '';
}
