/**
 * One target field compiled from its spec. Everything the spec decides (path steps, transform
 * chain, map table, converter, date regex, the converted default and constants) is settled
 * here, so mapping a record only runs prepared functions.
 * Per record: read -> transforms -> map -> type/date -> default when empty.
 */
import type { FieldSpec } from '../../config/pipeline-spec.js';
import { ConfigError } from '../../core/errors.js';
import { FIELD_SPEC_KEYS, isPlainObject } from '../../config/classify.js';
import { CONVERTERS, VALUE_TYPES, isValueType, type Converter } from './convert.js';
import { compileDateFormat, type DateParser } from './date-format.js';
import { Invalid, showValue } from './invalid.js';
import { type CompiledNode, type EvalContext, configWhere } from './node.js';
import { compilePath } from '../../core/source-path.js';
import { compileTransforms, type StringTransform } from './transforms.js';

type Scalar = string | number | boolean;

const NOT_TEXT = new Invalid('is not text');
const MAP_KEYS_SHOWN = 10;

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function scalarOption(spec: Record<string, unknown>, key: 'value' | 'default', where: string): Scalar | undefined {
  const v = spec[key];
  if (v === undefined) return undefined;
  if (!isScalar(v)) throw new ConfigError(`${where}: ${key} must be a string, number or boolean`);
  return v;
}

function compileLookup(map: unknown, where: string): { table: Map<string, Scalar>; missing: Invalid } {
  if (!isPlainObject(map)) throw new ConfigError(`${where}: map must be an object of source value -> target value`);
  const table = new Map<string, Scalar>();
  for (const [from, to] of Object.entries(map)) {
    if (!isScalar(to)) throw new ConfigError(`${where}: map value for ${JSON.stringify(from)} must be a string, number or boolean`);
    table.set(from, to);
  }
  if (table.size === 0) throw new ConfigError(`${where}: map is empty`);
  const keys = [...table.keys()];
  const listed = keys.slice(0, MAP_KEYS_SHOWN).join(', ') + (keys.length > MAP_KEYS_SHOWN ? ', …' : '');
  return { table, missing: new Invalid(`is not in the map (${listed})`) };
}

function compileTransformOption(transform: unknown, where: string): StringTransform | undefined {
  if (transform === undefined) return undefined;
  const names = typeof transform === 'string' ? [transform] : transform;
  if (!Array.isArray(names)) throw new ConfigError(`${where}: transform must be a list of transform names`);
  if (names.length === 0) return undefined;
  return compileTransforms(names, where);
}

/**
 * Compiles a field. `spec` is a bare column/path or an object already classified as a
 * FieldSpec; `path` is the target field path (`addresses[0].country`).
 */
export function compileField(spec: string | FieldSpec | Record<string, unknown>, path: string): CompiledNode {
  const where = configWhere(path);
  const s: Record<string, unknown> = typeof spec === 'string' ? { from: spec } : (spec as Record<string, unknown>);

  for (const key of Object.keys(s)) {
    if (!FIELD_SPEC_KEYS.has(key)) {
      throw new ConfigError(`${where}: unknown key ${JSON.stringify(key)} in a field spec (known: ${[...FIELD_SPEC_KEYS].join(', ')})`);
    }
  }
  const from = s.from;
  if (from !== undefined && (typeof from !== 'string' || from === '')) {
    throw new ConfigError(`${where}: from must be a source column or path`);
  }
  const constant = scalarOption(s, 'value', where);
  const fallback = scalarOption(s, 'default', where);
  if (from !== undefined && constant !== undefined)
    throw new ConfigError(`${where}: has both from and value; a field is read or constant, not both`);
  if (from === undefined && constant === undefined && fallback === undefined) {
    throw new ConfigError(`${where}: needs from, value or default`);
  }
  const type = s.type;
  if (type !== undefined && !isValueType(type)) {
    throw new ConfigError(`${where}: unknown type ${JSON.stringify(type)} (known: ${VALUE_TYPES.join(', ')})`);
  }
  let dateParser: DateParser | undefined;
  if (s.date !== undefined) {
    if (typeof s.date !== 'string') throw new ConfigError(`${where}: date must be a date format such as DD-MM-YYYY`);
    if (type !== undefined && type !== 'string')
      throw new ConfigError(`${where}: date gives an ISO date string; it cannot be combined with type ${type}`);
    dateParser = compileDateFormat(s.date, where);
  }
  const transform = compileTransformOption(s.transform, where);
  const lookup = s.map === undefined ? undefined : compileLookup(s.map, where);
  const convert: Converter | undefined = type === undefined || dateParser !== undefined ? undefined : CONVERTERS[type];

  // The default is sent as given, except that it takes the field's type.
  let dflt: unknown = fallback;
  if (fallback !== undefined && convert !== undefined) {
    dflt = convert(fallback);
    if (dflt instanceof Invalid) throw new ConfigError(`${where}: default ${showValue(fallback)} ${dflt.why}`);
  }
  const hasDefault = dflt !== undefined;

  const fail = (ctx: EvalContext, value: unknown, invalid: Invalid): undefined => {
    const why = `${path}: ${showValue(value)} ${invalid.why}`;
    if (ctx.all !== undefined) ctx.all.push(why);
    else ctx.error = why;
    return undefined;
  };

  // From a non-empty, transformed value to the value sent (or a reject through ctx.error).
  const refine = (value: unknown, ctx: EvalContext): unknown => {
    let v = value;
    if (lookup !== undefined) {
      const key = typeof v === 'string' ? v : isScalar(v) ? String(v) : undefined;
      if (key !== undefined && lookup.table.has(key)) v = lookup.table.get(key);
      else if (hasDefault) return dflt;
      else return fail(ctx, v, lookup.missing);
      if (v === '') return dflt;
    }
    if (dateParser !== undefined) {
      if (typeof v !== 'string' && typeof v !== 'number') return fail(ctx, v, NOT_TEXT);
      const iso = dateParser.parse(typeof v === 'string' ? v : String(v));
      return iso instanceof Invalid ? fail(ctx, v, iso) : iso;
    }
    if (convert !== undefined) {
      const converted = convert(v);
      return converted instanceof Invalid ? fail(ctx, v, converted) : converted;
    }
    return v;
  };

  if (from === undefined) {
    // A constant (or a bare default): worked out now, so a bad constant is a config error.
    let fixed: unknown = dflt;
    if (constant !== undefined) {
      const text = transform !== undefined ? transform(String(constant)) : constant;
      if (text !== '') {
        const ctx: EvalContext = { hit: false, error: undefined, all: undefined };
        fixed = refine(text, ctx);
        if (ctx.error !== undefined) throw new ConfigError(`${where}: value ${ctx.error.slice(path.length + 2)}`);
      }
    }
    return { evaluate: () => fixed, takesSource: false, sources: [] };
  }

  const read = compilePath(from);
  return {
    takesSource: true,
    sources: [from],
    evaluate: (data, ctx) => {
      let v = read(data);
      if (v === undefined || v === null || v === '') return dflt;
      if (transform !== undefined) {
        // Numbers from JSON are stringified only when a transform asks for text.
        if (typeof v === 'string') v = transform(v);
        else if (typeof v === 'number' || typeof v === 'boolean') v = transform(String(v));
        else return fail(ctx, v, NOT_TEXT);
        if (v === '') return dflt;
      }
      ctx.hit = true;
      return refine(v, ctx);
    },
  };
}
