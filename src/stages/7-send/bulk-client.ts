/**
 * Sends one Batch to a Propel bulk endpoint and accounts for every record in it: each record the
 * API answered gets a ResultEvent (plus a RejectEvent when it failed), each record the API
 * refused or did not mention gets a RejectEvent at stage `api`. Only a broken exchange
 * (credentials refused, retries used up, an answer we cannot act on) throws.
 *
 * A 400 that points at items (`#/users/12: …`) rejects those and resends the rest at once; a 400
 * that points at nothing is bisected until the culprits stand alone. A 413 is not split: the
 * batcher's `maxBytes` is the knob for payload size, and silently halving would hide a wrong
 * setting behind many more requests.
 */
import type { Dispatcher } from 'undici';
import { dispatcherTo, proxyLabel, proxyRefusal } from '../../core/proxy.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { AuthError, TransportError } from '../../core/errors.js';
import type { Redactor } from '../../core/redactor.js';
import type { Batch, ItemRecord, Outcome, RejectEvent } from '../../core/record.js';
import type { ResourceInfo } from '../../core/resource.js';
import { retry, retryPolicy, type RetryPolicy, type RetryStop, type RetryTuning, type TryResult } from '../../core/retry-policy.js';
import type { SendSpec } from '../../config/pipeline-spec.js';
import { errorMessages, resultEvent, resultItems, resultKey, sentKey } from './api-answer.js';
import { AnswerTooLarge, parseJson, postOnce, type HttpAnswer } from './http-exchange.js';
import { matchResults } from './match-results.js';
import { itemMessages } from './pointers.js';
import type { RateLimiter } from './rate-limiter.js';
import { parseRetryAfter } from './retry-after.js';
import type { SendEvent } from './send-event.js';
import type { TokenProvider } from './token-provider.js';
import { requestBody, requestEnvelope, type Directive, type RequestEnvelope } from './request-body.js';
import { describeNetworkError, isRetryStatus, isTransientNetworkError } from './transient.js';

/** A bulk answer is ~200 bytes per item: 64 MiB holds batches far past the API's size limit. */
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export interface BulkClientOptions {
  /** REST base URL including the version, e.g. `http://127.0.0.1:1234/v2`. */
  readonly baseUrl: string;
  readonly resource: ResourceInfo;
  readonly tokens: Pick<TokenProvider, 'get' | 'invalidate'>;
  /** concurrency and rate are the stream's and the limiter's business; this uses maxRetries and timeoutMs. */
  readonly send: Pick<SendSpec, 'maxRetries' | 'timeoutMs' | 'maxAnswerBytes'>;
  /** Already in the endpoint's array form; sent as `directives` with every request (none when empty). */
  readonly directives?: readonly Directive[];
  /** Defaults to a Pool of this client's own, closed by close(). */
  readonly dispatcher?: Dispatcher;
  /** The proxy to go through (core/proxy.ts decides); only with the default dispatcher. */
  readonly proxy?: URL;
  /** Shared by every request of the run, retries and bisection halves included. */
  readonly limiter?: Pick<RateLimiter, 'acquire'>;
  readonly onEvent?: (e: SendEvent) => void;
  /** Backoff, jitter and the longest Retry-After waited out (5 min: longer ends the run, resumable). */
  readonly retry?: RetryTuning;
  /** For retry waits and request timings. Default the system clock. */
  readonly clock?: Clock;
  /** Takes the run's secrets out of every answer before it is read (a server may quote the bearer token back). */
  readonly redactor?: Pick<Redactor, 'redact'>;
}

/** A usable answer of the bulk endpoint: a 200 with its body, or a 400 with its messages. */
type Answer =
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'refused'; readonly messages: string[] };

/** A try worth repeating: why, and the HTTP status (0 when the network failed before an answer). */
interface Failure {
  readonly reason: string;
  readonly status: number;
}

export class BulkClient {
  private readonly o: BulkClientOptions;
  private readonly url: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly envelope: RequestEnvelope;
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private lastToken: string | undefined;

  constructor(options: BulkClientOptions) {
    this.o = options;
    this.policy = retryPolicy(options.send.maxRetries, options.retry);
    this.clock = options.clock ?? systemClock;
    this.url = options.baseUrl.replace(/\/+$/, '') + options.resource.path;
    this.envelope = requestEnvelope(options.resource, options.directives);
    if (options.dispatcher !== undefined) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = dispatcherTo(new URL(this.url), options.proxy);
      this.ownsDispatcher = true;
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  async sendBatch(batch: Batch): Promise<Outcome[]> {
    const out: Outcome[] = [];
    await this.sendGroup(
      batch,
      batch.records.map((_, i) => i),
      out,
    );
    return out;
  }

  /** Sends the records at `indices` of the batch as one request, isolating refused items. */
  private async sendGroup(batch: Batch, indices: readonly number[], out: Outcome[]): Promise<void> {
    let pending = indices;
    // Each pass either settles the group or rejects at least one item, so this ends within n passes.
    while (pending.length > 0) {
      const answer = await this.exchange(batch, pending);
      if (answer.kind === 'ok') {
        this.settle(batch, pending, answer.body, out, answer.status);
        return;
      }
      const pointed = itemMessages(answer.messages, this.o.resource.listKey, pending.length);
      if (pointed.size > 0) {
        for (const [i, msgs] of pointed) out.push(apiReject(batch.records[pending[i]!]!, msgs.join('; ')));
        pending = pending.filter((_, i) => !pointed.has(i));
        continue;
      }
      if (pending.length === 1) {
        const reason = answer.messages.length > 0 ? answer.messages.join('; ') : 'the API refused this item (HTTP 400) without a reason';
        out.push(apiReject(batch.records[pending[0]!]!, reason));
        return;
      }
      // Halves in order, so a key that occurs twice in the batch is still applied in batch order.
      const mid = Math.ceil(pending.length / 2);
      await this.sendGroup(batch, pending.slice(0, mid), out);
      await this.sendGroup(batch, pending.slice(mid), out);
      return;
    }
  }

  private settle(batch: Batch, indices: readonly number[], body: unknown, out: Outcome[], status: number): void {
    const results = resultItems(body);
    // Without a result list we cannot tell what was applied; stopping keeps the batch resumable.
    if (results === undefined)
      throw new TransportError(`the API answered HTTP ${status} without a result list`, { batch: batch.seq, status, url: this.url });
    const lookup = this.o.resource.lookupKey;
    // By position when the API kept the order (checked item by item), else by key (matchResults).
    // Each item's key is worked out once per answer; the answer's items are read in place.
    const sent = indices.map((i) => sentKey(batch.records[i]!.item, lookup));
    const matched = matchResults(sent, results, resultKey);
    for (let n = 0; n < indices.length; n++) {
      const record = batch.records[indices[n]!]!;
      const r = matched[n];
      if (r === undefined) {
        out.push(apiReject(record, "no result for this item in the API's answer"));
        continue;
      }
      const result = resultEvent(r, record.prov, sent[n] ?? record.key, batch.seq);
      out.push(result);
      if (!result.success) out.push(apiReject(record, result.error ?? 'the API reported success:false without a reason'));
    }
  }

  private body(batch: Batch, indices: readonly number[]): Buffer {
    // Items were serialised once by the batcher; cutting their bytes keeps a retry or a half cheap.
    return requestBody(this.envelope, batch.items, indices);
  }

  /**
   * One logical request: retried on throttling and network trouble, token renewed once on a 401.
   * Returns a 200 or a 400; throws for everything else.
   */
  private async exchange(batch: Batch, indices: readonly number[]): Promise<Answer> {
    const body = this.body(batch, indices);
    const ctx = { batch: batch.seq, url: this.url };
    // Spans the retries: a 401 after a renewal with only network failures in between is a refusal.
    let renewed = false;
    const tryOnce = async (): Promise<TryResult<Answer, Failure>> => {
      for (;;) {
        const { token, answer, reason } = await this.post(batch, indices, body, ctx);
        if (answer === undefined) return { ok: false, failure: { reason, status: 0 } };
        const { status } = answer;
        if (status === 401) {
          if (renewed) throw new AuthError('authentication refused: the API answered 401 to a freshly issued token', { ...ctx, status });
          renewed = true;
          this.o.tokens.invalidate(token);
          continue;
        }
        renewed = false;
        const text = this.o.redactor?.redact(answer.text) ?? answer.text;
        if (status >= 200 && status < 300) return { ok: true, value: { kind: 'ok', status, body: parseJson(text) } };
        const messages = errorMessages(parseJson(text));
        if (status === 400) return { ok: true, value: { kind: 'refused', messages } };
        if (!isRetryStatus(status)) {
          // The URL is named: a 404 is most often a base URL that points elsewhere.
          throw new TransportError(`${this.url} answered HTTP ${status}${messages[0] !== undefined ? `: ${messages[0]}` : ''}`, {
            ...ctx,
            status,
          });
        }
        const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], this.clock.now());
        return { ok: false, failure: { reason, status }, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
      }
    };
    return retry(tryOnce, {
      policy: this.policy,
      clock: this.clock,
      onRetry: (attempt, delayMs, f) => this.o.onEvent?.({ type: 'retry', batch: batch.seq, attempt, delayMs, reason: f.reason }),
      giveUp: (stop, f) => this.giveUp(stop, f, ctx),
    });
  }

  /** One HTTP exchange with the current token, reported as a `request` event; undefined answer when the network failed. */
  private async post(
    batch: Batch,
    indices: readonly number[],
    body: Buffer,
    ctx: { batch: number; url: string },
  ): Promise<{ token: string; answer: HttpAnswer | undefined; reason: string }> {
    const token = await this.o.tokens.get();
    // After the token: a slot booked before a slow token fetch would be spent waiting for it,
    // and the requests queued behind that fetch would then leave together, faster than the rate.
    await this.o.limiter?.acquire();
    if (token !== this.lastToken) {
      this.lastToken = token;
      this.o.onEvent?.({ type: 'token' });
    }
    const started = this.clock.now();
    let answer: HttpAnswer | undefined;
    let reason = '';
    try {
      answer = await postOnce(
        this.dispatcher,
        this.url,
        { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body,
        this.o.send.timeoutMs,
        this.o.send.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES,
      );
      reason = `HTTP ${answer.status}`;
    } catch (e) {
      if (e instanceof AnswerTooLarge) {
        throw new TransportError(
          `the API answered more than ${e.maxBytes} bytes (send.maxAnswerSize); a bulk answer of ${indices.length} items is far smaller: is the base URL right?`,
          ctx,
        );
      }
      const refused = proxyRefusal(e, this.o.proxy);
      if (refused !== undefined) throw refused;
      const via = this.o.proxy !== undefined ? ` (through the proxy ${proxyLabel(this.o.proxy)})` : '';
      if (!isTransientNetworkError(e)) throw new TransportError(`request failed: ${describeNetworkError(e)}${via}`, ctx);
      reason = describeNetworkError(e) + via;
    }
    this.o.onEvent?.({
      type: 'request',
      batch: batch.seq,
      status: answer?.status ?? 0,
      ms: this.clock.now() - started,
      items: indices.length,
    });
    return { token, answer, reason };
  }

  private giveUp(stop: RetryStop, f: Failure, ctx: { batch: number; url: string }): TransportError {
    if (stop.why === 'retry-after-too-long') {
      const maxAfter = this.policy.maxRetryAfterMs;
      return new TransportError(
        `the API asked to wait ${Math.ceil(stop.retryAfterMs / 1000)} s before retrying, longer than the ${maxAfter / 1000} s allowed`,
        { ...ctx, status: f.status },
      );
    }
    return new TransportError(`gave up after ${this.policy.maxRetries} retries (last: ${f.reason})`, {
      ...ctx,
      ...(f.status !== 0 ? { status: f.status } : {}),
    });
  }
}

function apiReject(record: ItemRecord, reason: string): RejectEvent {
  return { kind: 'reject', prov: record.prov, stage: 'api', reason, record: record.source };
}
