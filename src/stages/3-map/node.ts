/** What compiled mapping nodes share while one record is mapped. */
import type { SourceData } from '../../core/record.js';

/**
 * One per record. `hit` tells an enclosing object whether any source-taken field below it
 * found a value (objects without one are dropped); `error` holds the first reject reason.
 * With `all` set (a second pass over a record that failed), every problem is collected there
 * instead and mapping goes on past them.
 */
export interface EvalContext {
  hit: boolean;
  error: string | undefined;
  /** Always present (undefined on the first pass) so every context has one shape for the engine's inline caches. */
  all: string[] | undefined;
}

/** Produces a node's value for one record; undefined means "leave the field out". */
export type NodeFn = (data: SourceData, ctx: EvalContext) => unknown;

export interface CompiledNode {
  readonly evaluate: NodeFn;
  /** Whether any field in this subtree reads the source (`from`); decided at compile time. */
  readonly takesSource: boolean;
  /** The source columns or paths (`from`) this subtree reads, in mapping order. */
  readonly sources: readonly string[];
}

/** `a.b[0]` for messages; `mapping.`-prefixed at compile time, bare in reject reasons. */
export function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

export function configWhere(path: string): string {
  return path === '' ? 'mapping' : `mapping.${path}`;
}
