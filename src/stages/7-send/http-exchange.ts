/**
 * One POST with a hard time limit covering connect, headers and the whole body, and the body
 * always read to the end (an unread undici body pins its connection) or, past `maxBytes`, dropped
 * with its connection: an answer is held whole to be parsed, so its size is capped before memory
 * is spent on it. Returns the raw answer; what it means is the caller's business.
 */
import { request, type Dispatcher } from 'undici';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

export class RequestTimeout extends Error {
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`);
    this.name = 'RequestTimeout';
  }
}

/** An answer larger than the caller takes (send.maxAnswerSize for the bulk endpoint). */
export class AnswerTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the answer is larger than ${maxBytes} bytes`);
    this.name = 'AnswerTooLarge';
  }
}

/** What a token endpoint or a Pushgateway answers is a few hundred bytes: 1 MiB is plenty. */
export const SMALL_ANSWER_BYTES = 1024 * 1024;

export async function postOnce(
  dispatcher: Dispatcher,
  url: string,
  headers: Record<string, string>,
  body: string | Uint8Array,
  timeoutMs: number,
  maxBytes: number = SMALL_ANSWER_BYTES,
): Promise<HttpAnswer> {
  const controller = new AbortController();
  const timeout = new RequestTimeout(timeoutMs);
  const timer = setTimeout(() => controller.abort(timeout), timeoutMs);
  try {
    const res = await request(url, {
      dispatcher,
      method: 'POST',
      headers,
      body,
      signal: controller.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    try {
      const declared = Number(res.headers['content-length']);
      if (declared > maxBytes) throw new AnswerTooLarge(maxBytes);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) throw new AnswerTooLarge(maxBytes);
        chunks.push(chunk);
      }
      return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks, size).toString('utf8') };
    } catch (e) {
      res.body.destroy();
      throw e;
    }
  } catch (e) {
    // undici rejects with the abort reason; make sure a timeout is recognisable whatever it wrapped.
    throw controller.signal.aborted ? timeout : e;
  } finally {
    clearTimeout(timer);
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
