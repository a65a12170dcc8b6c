/**
 * Source paths (`name.first`, `phones[0]`, `a.b[2].c`) compiled once into accessor steps,
 * so reading a record walks a prepared list instead of re-parsing the path per record.
 */
import type { SourceData } from './record.js';
import { FieldRow, columnReader } from './field-row.js';

/** A property name, or an index into an array. */
export type PathStep = string | number;

/** Reads one value out of a source record; undefined when the path leads nowhere. */
export type Accessor = (data: SourceData) => unknown;

const WELL_FORMED = /^[^.[\]]+(?:\.[^.[\]]+|\[\d+\])*$/;
const STEP = /\.?([^.[\]]+)|\[(\d+)\]/g;

/**
 * Splits a path into steps. Returns undefined when the text is no well-formed path: it can
 * then only be a column name (CSV headers may contain anything, e.g. `Price [EUR]`).
 */
export function parsePath(path: string): PathStep[] | undefined {
  if (!WELL_FORMED.test(path)) return undefined;
  const steps: PathStep[] = [];
  for (const m of path.matchAll(STEP)) {
    steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  return steps;
}

function readStep(current: unknown, step: PathStep): unknown {
  if (typeof step === 'number') return Array.isArray(current) ? current[step] : undefined;
  // Own properties only: `constructor` or `length` must not leak in from prototypes or arrays.
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
  return Object.hasOwn(current, step) ? (current as Record<string, unknown>)[step] : undefined;
}

/**
 * An accessor for `path`. A record's own key equal to the whole text wins over the path
 * reading, because CSV headers can contain dots (`address.city` as one column).
 */
export function compilePath(path: string): Accessor {
  // A CSV field is text: no path leads into it, so in a row the path is a column name or nothing.
  const column = columnReader(path);
  const steps = parsePath(path);
  if (steps === undefined || steps.length === 1) {
    return (data) => (data instanceof FieldRow ? column(data) : Object.hasOwn(data, path) ? data[path] : undefined);
  }
  const count = steps.length;
  return (data) => {
    if (data instanceof FieldRow) return column(data);
    if (Object.hasOwn(data, path)) return data[path];
    let current: unknown = data;
    for (let i = 0; i < count && current !== undefined; i++) current = readStep(current, steps[i] as PathStep);
    return current;
  };
}
