/**
 * Reading Propel's answers: the error envelope `{"error":{"messages":[…]}}` and the bulk result
 * `{"data":[{action,id,key,lookupKey,success,error?,message?}]}`. Tolerant by design: an answer
 * we cannot read becomes "no result" for its items, never a crash.
 */
import type { Provenance, ResultEvent } from '../../core/record.js';

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

/**
 * The result items of a 200 answer as parsed, not copied: each is read where it is used
 * (`resultKey`, `resultEvent`). Undefined when there is no `data` array.
 */
export function resultItems(body: unknown): readonly unknown[] | undefined {
  return isObject(body) && Array.isArray(body.data) ? body.data : undefined;
}

/** The key a result item names, as text; undefined when it names none. */
export function resultKey(d: unknown): string | undefined {
  return isObject(d) ? keyString(d.key) : undefined;
}

/**
 * The ResultEvent for a record from its result item. The failure text is `error`, else (for a
 * failure only) `message`; an item that is not an object reads as a failure without a reason.
 */
export function resultEvent(d: unknown, prov: Provenance, key: string, batch: number): ResultEvent {
  if (!isObject(d)) return { kind: 'result', prov, key, action: '', id: null, success: false, batch };
  const action = typeof d.action === 'string' ? d.action : '';
  const id = typeof d.id === 'number' || typeof d.id === 'string' ? d.id : null;
  const success = d.success === true;
  const error = typeof d.error === 'string' ? d.error : typeof d.message === 'string' && !success ? d.message : undefined;
  return error !== undefined
    ? { kind: 'result', prov, key, action, id, success, error, batch }
    : { kind: 'result', prov, key, action, id, success, batch };
}

/** The lookup value an item was sent with, as the API echoes it in `key`. */
export function sentKey(item: Readonly<Record<string, unknown>>, lookupKey: string): string | undefined {
  return keyString(item[lookupKey]);
}
