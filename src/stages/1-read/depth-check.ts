/**
 * A record nested deeper than {@link MAX_DEPTH} levels of objects and arrays is a read reject.
 * Every later step that walks a record (the mapper, Ajv, JSON.stringify of a reject) recurses,
 * so one hostile record of 5,000 levels would overflow the stack and kill the night; no export
 * of users nests past a handful. The check itself is iterative, so no depth can overflow it.
 * Only formats whose records can nest (`TextFormat.nests`) pay for it.
 */
import type { ParsedItem } from './reader.js';

export const MAX_DEPTH = 64;
export const DEPTH_REASON = `nests deeper than ${MAX_DEPTH} levels of objects and arrays`;

/** Whether `value` nests deeper than `max` levels (a record with no object inside it is level 1). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object' || (max >= 1 && !holdsContainer(value))) return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    const d = depths.pop() ?? 1;
    if (d > max) return true;
    if (Array.isArray(v)) {
      for (const c of v as unknown[]) {
        if (c !== null && typeof c === 'object') {
          stack.push(c);
          depths.push(d + 1);
        }
      }
    } else {
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const c = o[k];
        if (c !== null && typeof c === 'object') {
          stack.push(c);
          depths.push(d + 1);
        }
      }
    }
  }
  return false;
}

/** Most records hold no object or array at all: one pass over their values, nothing allocated. */
function holdsContainer(v: object): boolean {
  if (Array.isArray(v)) {
    for (const c of v as unknown[]) if (c !== null && typeof c === 'object') return true;
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const c = o[k];
    if (c !== null && typeof c === 'object') return true;
  }
  return false;
}

/** The record as its reject shows it: whole down to `max` levels, each container below as "…". */
export function cutBelow(value: unknown, max: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (max <= 0) return '…';
  if (Array.isArray(value)) return value.map((v) => cutBelow(v, max - 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutBelow(v, max - 1)]));
}

export function checkDepth(items: ParsedItem[]): ParsedItem[] {
  return items.map((item) =>
    item.kind === 'record' && nestsDeeperThan(item.data, MAX_DEPTH)
      ? { kind: 'reject', line: item.line, reason: DEPTH_REASON, raw: cutBelow(item.data, MAX_DEPTH) }
      : item,
  );
}
