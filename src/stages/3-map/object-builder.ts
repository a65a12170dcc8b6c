/**
 * An object of the mapping (the item itself, `names[0]`, an attribute) as generated code: one
 * statement per target field, each with its own call and its own named store. A loop over the
 * fields would store through `out[keys[i]]`, a keyed store that sees every field name of every
 * object of the mapping (megamorphic), and call every field's function from one call site; here
 * each store and call site sees one field, so the engine keeps them monomorphic and inlines them.
 * Which fields are set, and in which order, is exactly what the loop did: the item is the same
 * object, so its JSON is the same bytes.
 */
import type { NodeFn } from './node.js';

/**
 * The object's function: each field's value from `fns` (same order as `keys`), left out when
 * undefined; the first reject reason (`ctx.error`) stops it. With `dropWhenNoHit`, an object none
 * of whose source-taken fields found a value is left out itself. Generated for each object of the
 * mapping, never shared: ten attributes with the same field names would otherwise share one set
 * of call sites, each seeing ten functions.
 */
export function buildObject(keys: readonly string[], fns: readonly NodeFn[], dropWhenNoHit: boolean): NodeFn {
  const fields = keys
    .map(
      (key, i) =>
        // JSON.stringify quotes the name as a JS string literal: a name from the pipeline file is never code.
        `  v = f${i}(data, ctx);\n  if (ctx.error !== undefined) return undefined;\n  if (v !== undefined) (out ??= {})[${JSON.stringify(key)}] = v;`,
    )
    .join('\n');
  const body = `"use strict";
const [${keys.map((_, i) => `f${i}`).join(', ')}] = fns;
return function mapObject(data, ctx) {
  const outerHit = ctx.hit;
  ctx.hit = false;
  let out;
  let v;
${fields}
  const hit = ctx.hit;
  ctx.hit = outerHit || hit;
  return dropWhenNoHit && !hit ? undefined : out;
};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the code is built from quoted names only (above)
  const make = new Function('fns', 'dropWhenNoHit', body) as (fns: readonly NodeFn[], dropWhenNoHit: boolean) => NodeFn;
  return make(fns, dropWhenNoHit);
}
