/**
 * Which failures are worth another try: throttling, a server or gateway error that passes (500,
 * 502, 503, 504), and the network letting us down (resets, refused connections while a server
 * restarts, timeouts). Bulk calls are upserts, so sending one again after a 500 that may have
 * applied part of it is safe. Anything else is an answer, and asking again would get the same
 * answer (501 included: the endpoint is not there).
 */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

export function isRetryStatus(status: number): boolean {
  return RETRY_STATUSES.has(status);
}

function codeOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A short name for a network failure, for retry events and error messages; never request data. */
export function describeNetworkError(e: unknown): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'RequestTimeout')) return 'timeout';
  const code = codeOf(e) ?? codeOf((e as { cause?: unknown } | null)?.cause);
  if (code !== undefined) return code;
  return e instanceof Error ? e.name : 'network error';
}

/** True for errors (or their causes) that say the network, not the server's answer, failed. */
export function isTransientNetworkError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 4; depth++) {
    if (cur instanceof Error && (cur.name === 'TimeoutError' || cur.name === 'RequestTimeout')) return true;
    const code = codeOf(cur);
    if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}
