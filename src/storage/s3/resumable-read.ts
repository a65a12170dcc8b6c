/**
 * An object's bytes [start, end) over one or more GETs: when the connection drops mid-body (or
 * the body ends short), the read goes on with a ranged GET from the byte reached, so nothing is
 * lost and nothing read twice. A failure to open a request is the SDK's to retry; here only
 * bodies are resumed, at most the policy's `maxRetries` times in a row without a byte of progress,
 * after the policy's wait. Backpressure: a generator, so the next chunk is taken from the socket
 * only when asked for.
 */
import type { Clock } from '../../core/clock.js';
import { decideRetry, type RetryPolicy } from '../../core/retry-policy.js';

/** Opens the bytes from `start` to `end` (exclusive): one GET. */
export type OpenRange = (start: number, end: number) => Promise<AsyncIterable<Uint8Array>>;

export interface ResumeOptions {
  /** How many resumes in a row without progress (`maxRetries`), and the wait before each. */
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  /** Told of each resume, for logs and tests. */
  readonly onResume?: (offset: number, error: unknown) => void;
}

/** A body that ended before the bytes asked for. */
class ShortBody extends Error {
  constructor(reached: number, end: number) {
    super(`the body ended at byte ${reached} of ${end}`);
  }
}

/** The body kept breaking at the same byte: `cause` is the last break. */
export class ReadBroken extends Error {
  constructor(
    readonly reached: number,
    readonly times: number,
    options: { cause: unknown },
  ) {
    super(`reading broke off at byte ${reached}, ${times} times in a row`, options);
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export async function* resumableRead(open: OpenRange, start: number, end: number, options: ResumeOptions): AsyncGenerator<Buffer> {
  let offset = start;
  let failures = 0;
  while (offset < end) {
    // Not caught: the SDK has already retried the request itself.
    const body = await open(offset, end);
    const before = offset;
    try {
      for await (const raw of body) {
        let chunk = asBuffer(raw);
        // A service that sends more than asked is cut at `end`, never read past it.
        if (offset + chunk.length > end) chunk = chunk.subarray(0, end - offset);
        offset += chunk.length;
        if (chunk.length > 0) yield chunk;
        if (offset >= end) break;
      }
      if (offset < end) throw new ShortBody(offset, end);
    } catch (e) {
      if (offset > before) failures = 0;
      const next = decideRetry(options.policy, failures);
      if (!next.retry) throw new ReadBroken(offset, failures + 1, { cause: e });
      failures++;
      options.onResume?.(offset, e);
      await options.clock.sleep(next.delayMs);
    } finally {
      // An abandoned body (the consumer stopped early, or it broke) must not hold its socket.
      const destroy = (body as { destroy?: () => void }).destroy;
      if (typeof destroy === 'function') destroy.call(body);
    }
  }
}
