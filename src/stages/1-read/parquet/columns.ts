/**
 * Which top-level columns a mapping needs from a Parquet file, and whether every path it names
 * exists there. A path reads like it does on a JSON record (src/mapping/path.ts): a column
 * named by the whole text wins, otherwise the first step is the column and the rest walks its
 * struct fields, list indexes and map keys. A path the schema cannot have is a configuration
 * error (exit 2) before anything is sent, with the nearest names the file does have.
 */
import { editDistance } from '../../../config/did-you-mean.js';
import { ERR, ConfigError } from '../../../core/errors.js';
import { parsePath, type PathStep } from '../../../core/source-path.js';
import type { ReaderContext } from '../reader.js';
import { shapePaths, type Shape } from './schema-shape.js';

const CLOSEST_SHOWN = 3;

/** Whether the steps after the column lead somewhere in its shape (a map accepts any key). */
function walks(shape: Shape, steps: readonly PathStep[]): boolean {
  let current = shape;
  for (const step of steps) {
    if (current.kind === 'map') return typeof step === 'string' ? true : false;
    if (current.kind === 'list') {
      if (typeof step !== 'number') return false;
      current = current.element;
    } else if (current.kind === 'struct') {
      if (typeof step !== 'string') return false;
      const field = current.fields.get(step);
      if (field === undefined) return false;
      current = field;
    } else {
      return false;
    }
  }
  return true;
}

/** The column a source path reads, or undefined when the schema has no such path. */
export function columnOf(path: string, columns: ReadonlyMap<string, Shape>): string | undefined {
  if (columns.has(path)) return path;
  const steps = parsePath(path);
  if (steps === undefined) return undefined;
  const [first, ...rest] = steps;
  if (typeof first !== 'string') return undefined;
  const shape = columns.get(first);
  return shape !== undefined && walks(shape, rest) ? first : undefined;
}

/** The schema's paths nearest to `path`, for the message. */
export function closestPaths(path: string, columns: ReadonlyMap<string, Shape>): string[] {
  const known = new Set<string>();
  for (const [name, shape] of columns) {
    known.add(name);
    for (const p of shapePaths(name, shape)) known.add(p);
  }
  const lower = path.toLowerCase();
  return [...known]
    .map((p) => ({ p, d: editDistance(lower, p.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || (a.p < b.p ? -1 : 1))
    .slice(0, CLOSEST_SHOWN)
    .map((x) => x.p);
}

/**
 * The top-level columns to fetch for `sources` (the mapping's `from` paths), in schema order.
 * Throws ConfigError for the first path the schema does not have.
 */
export function columnsFor(sources: readonly string[], columns: ReadonlyMap<string, Shape>, where: ReaderContext): string[] {
  const needed = new Set<string>();
  for (const source of sources) {
    const column = columnOf(source, columns);
    if (column === undefined) {
      const closest = closestPaths(source, columns);
      throw new ConfigError(
        `the mapping reads "${source}", which is not a column of this Parquet file${closest.length > 0 ? ` (closest: ${closest.join(', ')})` : ''}`,
        { ...where, key: 'mapping' },
        ERR.SOURCE_PARQUET_COLUMN,
      );
    }
    needed.add(column);
  }
  return [...columns.keys()].filter((name) => needed.has(name));
}
