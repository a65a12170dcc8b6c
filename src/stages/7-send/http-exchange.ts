/**
 * One POST with a hard time limit covering connect, headers and the whole body, and the body
 * always read to the end (an unread undici body pins its connection). Returns the raw answer;
 * what it means is the caller's business.
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

export async function postOnce(
  dispatcher: Dispatcher,
  url: string,
  headers: Record<string, string>,
  body: string | Uint8Array,
  timeoutMs: number,
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
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
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
