/**
 * The `Retry-After` response header as a delay in milliseconds. It is either delay-seconds or an
 * HTTP date (RFC 9110 §10.2.3), read against `nowMs` (the caller's clock). Returns undefined when
 * absent or unreadable, so the retry policy falls back to its backoff rather than trusting a
 * garbled value.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // Only accept something that looks like a date: Date.parse is lenient enough to read "5 apples".
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
