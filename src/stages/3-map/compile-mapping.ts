/**
 * The pipeline file's `mapping:` compiled once into one function from a source record to a
 * Propel item. The config is walked here only; per record, prepared node functions run.
 */
import type { MappingObject } from '../../config/pipeline-spec.js';
import { ConfigError } from '../../core/errors.js';
import { reasonsList, type PropelItem, type SourceData } from '../../core/record.js';
import { lookupKey, type ResourceName } from '../../core/resource.js';
import { isFieldSpec, isPlainObject } from '../../config/classify.js';
import { compileField } from './field.js';
import { buildObject } from './object-builder.js';
import { type CompiledNode, type EvalContext, type NodeFn, childPath, configWhere } from './node.js';

/** `reasons`: every problem of the record, `reason` first (present when there are several). */
export type MapResult = { ok: true; item: PropelItem } | { ok: false; reason: string; reasons?: readonly string[] };
export type CompiledMapping = ((data: SourceData) => MapResult) & {
  /** The source columns or paths the mapping reads (each once, in mapping order): what a columnar reader must fetch. */
  readonly sources: readonly string[];
};

function compileObject(mapping: Record<string, unknown>, path: string, droppable: boolean): CompiledNode {
  const keys = Object.keys(mapping);
  if (keys.length === 0) throw new ConfigError(`${configWhere(path)}: an empty object maps nothing`);
  const fns: NodeFn[] = [];
  const sources: string[] = [];
  let takesSource = false;
  for (const key of keys) {
    const at = childPath(path, key);
    // Assigning `__proto__` on the output object would replace its prototype, not add a field.
    if (key === '' || key === '__proto__')
      throw new ConfigError(`${configWhere(at)}: ${JSON.stringify(key)} is not a valid target field name`);
    const node = compileNode(mapping[key], at);
    fns.push(node.evaluate);
    sources.push(...node.sources);
    takesSource ||= node.takesSource;
  }
  // An object of constants only is deliberate config and is always sent; one with
  // source-taken fields is dropped when none of them found a value.
  const evaluate = buildObject(keys, fns, droppable && takesSource);
  return { evaluate, takesSource, sources };
}

/**
 * An attribute's `name`, `type` and `class` identify the attribute definition in Propel; they are
 * never source columns. So in `attributes:` a bare string there is a constant, as the contract's
 * example `- { name: LOYALTY_TIER, type: text, value: { from: tier } }` reads.
 */
const ATTRIBUTE_LITERAL_KEYS = ['name', 'type', 'class'] as const;

function attributeLiterals(element: unknown): unknown {
  if (!isPlainObject(element) || isFieldSpec(element)) return element;
  const out: Record<string, unknown> = { ...element };
  for (const k of ATTRIBUTE_LITERAL_KEYS) {
    const v = out[k];
    if (typeof v === 'string') out[k] = { value: v };
  }
  return out;
}

function compileArray(mapping: readonly unknown[], path: string): CompiledNode {
  if (mapping.length === 0) throw new ConfigError(`${configWhere(path)}: an empty list maps nothing`);
  const isAttributes = path === 'attributes' || path.endsWith('.attributes');
  const fns = mapping.map((element, i) => compileNode(isAttributes ? attributeLiterals(element) : element, `${path}[${i}]`));
  const evaluators = fns.map((n) => n.evaluate);
  const count = evaluators.length;
  const evaluate: NodeFn = (data, ctx) => {
    let out: unknown[] | undefined;
    for (let i = 0; i < count; i++) {
      const v = (evaluators[i] as NodeFn)(data, ctx);
      if (ctx.error !== undefined) return undefined;
      if (v !== undefined) (out ??= []).push(v);
    }
    return out;
  };
  return { evaluate, takesSource: fns.some((n) => n.takesSource), sources: fns.flatMap((n) => n.sources) };
}

function compileNode(node: unknown, path: string): CompiledNode {
  if (typeof node === 'string') return compileField(node, path);
  if (Array.isArray(node)) return compileArray(node, path);
  if (isPlainObject(node)) return isFieldSpec(node) ? compileField(node, path) : compileObject(node, path, true);
  throw new ConfigError(
    `${configWhere(path)}: expected a source column, a field spec, an object or a list, got ${JSON.stringify(node) ?? String(node)}` +
      (typeof node === 'number' || typeof node === 'boolean' ? ` (write { value: ${String(node)} } for a constant)` : ''),
  );
}

/**
 * The lookup key of a record from its key fields alone (users: source, sourceId, language;
 * usergroups: id), for a record the whole mapping refused; undefined when they cannot be mapped.
 */
export function keyMapping(mapping: MappingObject, resource: ResourceName): (data: SourceData) => string | undefined {
  const fields = resource === 'users' ? ['source', 'sourceId', 'language'] : ['id'];
  const picked = Object.fromEntries(Object.entries(mapping).filter(([k]) => fields.includes(k)));
  const map = compileMapping(picked);
  return (data) => {
    const r = map(data);
    return r.ok ? lookupKey(resource, r.item) : undefined;
  };
}

/**
 * Compiles `mapping` (see the contract's "Pipeline file"). Throws ConfigError naming the
 * target field for a mapping that cannot work. The returned function never throws for bad
 * data: it answers `{ ok: false, reason }` with the target field and the offending value.
 */
export function compileMapping(mapping: MappingObject): CompiledMapping {
  if (!isPlainObject(mapping)) throw new ConfigError('mapping: must be an object of target fields');
  const root = compileObject(mapping, '', false);
  const map = (data: SourceData): MapResult => {
    const ctx: EvalContext = { hit: false, error: undefined, all: undefined };
    const item = root.evaluate(data, ctx);
    if (ctx.error !== undefined) {
      // Only a record that failed is mapped again, collecting every problem: valid records pay nothing.
      const all: string[] = [];
      root.evaluate(data, { hit: false, error: undefined, all });
      const reasons = reasonsList(ctx.error, all);
      return reasons.length > 1 ? { ok: false, reason: ctx.error, reasons } : { ok: false, reason: ctx.error };
    }
    return { ok: true, item: (item as PropelItem | undefined) ?? {} };
  };
  return Object.assign(map, { sources: [...new Set(root.sources)] });
}
