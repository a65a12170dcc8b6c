/**
 * Reading Propel's answers: the error envelope `{"error":{"messages":[…]}}` and the bulk result
 * `{"data":[{action,id,key,lookupKey,success,error?,message?}]}`. Tolerant by design: an answer
 * we cannot read becomes "no result" for its items, never a crash.
 */
export interface ResultItem {
  readonly action: string;
  readonly id: number | string | null;
  readonly key: string | undefined;
  readonly success: boolean;
  readonly error: string | undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The API's error messages, or [] when the body is not the documented error shape. */
export function errorMessages(body: unknown): string[] {
  if (!isObject(body)) return [];
  const err = body.error;
  if (isObject(err)) {
    const out: string[] = [];
    if (Array.isArray(err.messages)) for (const m of err.messages) if (typeof m === 'string') out.push(m);
    if (out.length === 0 && typeof err.message === 'string') out.push(err.message);
    return out;
  }
  if (typeof err === 'string') return [err];
  if (Array.isArray(body.messages)) return body.messages.filter((m): m is string => typeof m === 'string');
  return [];
}

function keyString(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
}

/** The result items of a 200 answer; undefined when there is no `data` array. */
export function resultItems(body: unknown): ResultItem[] | undefined {
  if (!isObject(body) || !Array.isArray(body.data)) return undefined;
  return body.data.map((d): ResultItem => {
    const o = isObject(d) ? d : {};
    const id = typeof o.id === 'number' || typeof o.id === 'string' ? o.id : null;
    const success = o.success === true;
    const text = typeof o.error === 'string' ? o.error : typeof o.message === 'string' && !success ? o.message : undefined;
    return { action: typeof o.action === 'string' ? o.action : '', id, key: keyString(o.key), success, error: text };
  });
}

/** The lookup value an item was sent with, as the API echoes it in `key`. */
export function sentKey(item: Readonly<Record<string, unknown>>, lookupKey: string): string | undefined {
  return keyString(item[lookupKey]);
}
