/**
 * Pairs the API's result items with the records that were sent. By position when the answer has
 * one item per record and every key agrees (the normal case, and the only way to tell apart two
 * users that share a sourceId but differ in source or language); otherwise by key, first unused
 * result per key in order. A record left without a result stays unmatched so the caller can
 * reject it rather than lose it.
 */
import type { ResultItem } from './api-answer.js';

export function matchResults(sentKeys: readonly (string | undefined)[], results: readonly ResultItem[]): (ResultItem | undefined)[] {
  if (results.length === sentKeys.length && results.every((r, i) => r.key === undefined || r.key === sentKeys[i])) {
    return [...results];
  }
  const byKey = new Map<string, ResultItem[]>();
  for (const r of results) {
    if (r.key === undefined) continue;
    const list = byKey.get(r.key);
    if (list === undefined) byKey.set(r.key, [r]);
    else list.push(r);
  }
  return sentKeys.map((k) => (k === undefined ? undefined : byKey.get(k)?.shift()));
}
