/**
 * Pairs the API's result items with the records that were sent. By position when the answer has
 * one item per record and every key agrees (the normal case, and the only way to tell apart two
 * users that share a sourceId but differ in source or language); otherwise by key, first unused
 * result per key in order. A record left without a result stays unmatched so the caller can
 * reject it rather than lose it.
 */
export function matchResults<T>(
  sentKeys: readonly (string | undefined)[],
  results: readonly T[],
  keyOf: (result: T) => string | undefined,
): readonly (T | undefined)[] {
  // In order, the answer itself is the pairing: no copy.
  if (
    results.length === sentKeys.length &&
    results.every((r, i) => {
      const key = keyOf(r);
      return key === undefined || key === sentKeys[i];
    })
  ) {
    return results;
  }
  const byKey = new Map<string, T[]>();
  for (const r of results) {
    const key = keyOf(r);
    if (key === undefined) continue;
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [r]);
    else list.push(r);
  }
  return sentKeys.map((k) => (k === undefined ? undefined : byKey.get(k)?.shift()));
}
