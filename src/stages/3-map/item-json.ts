/**
 * An item's JSON, compiled from the shape its mapping gives every item: the object nodes' field
 * names in mapping order, which is the order the mapping sets them in (object-builder.ts). So
 * the code can write each field it knows, in that order, where JSON.stringify would walk the
 * object's properties and look at each one's type: the same bytes, with each string written as
 * it is unless it needs escaping. What the shape cannot promise is left to JSON.stringify: a
 * value taken whole from a JSON source (an object, a number), a list whose elements differ in
 * shape.
 * A differential test holds it to JSON.stringify over every mapping feature and fuzzed values.
 */
import type { PropelItem } from '../../core/record.js';

/** What a mapping node makes, as far as its JSON goes. */
export type Shape =
  | { readonly kind: 'value' }
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly fields: readonly Shape[] }
  | { readonly kind: 'list'; readonly elements: readonly Shape[] };

export type Serialise = (value: unknown) => string;

/** A string JSON.stringify would write differently from `"` + s + `"`: a quote, a backslash, a control character or a surrogate (lone ones are escaped). */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function value(v: unknown): string {
  return typeof v === 'string' ? (NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`) : JSON.stringify(v);
}

const whole: Serialise = (v) => JSON.stringify(v);

function signature(shape: Shape): string {
  switch (shape.kind) {
    case 'value':
      return 'v';
    case 'object':
      return `{${shape.keys.map((k, i) => `${JSON.stringify(k)}:${signature(shape.fields[i] as Shape)}`).join(',')}}`;
    case 'list':
      return `[${shape.elements.map(signature).join(',')}]`;
  }
}

/**
 * `keys` come from Object.keys of the pipeline file's object, which puts names like "0" or "7"
 * first, in ascending order, as JSON.stringify does with the item: the two orders agree.
 */
function compileObject(keys: readonly string[], fields: readonly Shape[]): Serialise {
  const parts = fields.map(compileShape);
  const lines = keys
    .map(
      // Names go in as JSON string literals, which are JS string literals too: a name from the pipeline file is never code.
      (key, i) =>
        `  v = o[${JSON.stringify(key)}];\n  if (v !== undefined) { out += sep + ${JSON.stringify(`${JSON.stringify(key)}:`)} + s${i}(v); sep = ","; }`,
    )
    .join('\n');
  const body = `"use strict";
const [${parts.map((_, i) => `s${i}`).join(', ')}] = parts;
return function objectJson(o) {
  let out = "{";
  let sep = "";
  let v;
${lines}
  return out + "}";
};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the code is built from quoted names only (above)
  return (new Function('parts', body) as (parts: readonly Serialise[]) => Serialise)(parts);
}

function compileList(elements: readonly Shape[]): Serialise {
  // Elements left out shift the rest down: an element's shape is known only when all share one.
  const first = elements[0];
  const same = first !== undefined && elements.every((e) => signature(e) === signature(first));
  const element = same ? compileShape(first) : whole;
  return (v) => {
    if (!Array.isArray(v)) return whole(v);
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + element(v[i]);
    return `${out}]`;
  };
}

function compileShape(shape: Shape): Serialise {
  switch (shape.kind) {
    case 'value':
      return value;
    case 'object': {
      const object = compileObject(shape.keys, shape.fields);
      // A node's value is its object, or undefined; anything else would be a bug, and gets JSON.stringify's answer.
      return (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? object(v) : whole(v));
    }
    case 'list':
      return compileList(shape.elements);
  }
}

/** The item's JSON, byte for byte what JSON.stringify(item) gives, for items the mapping of `shape` made. */
export function compileItemJson(shape: Shape): (item: PropelItem) => string {
  return compileShape(shape);
}
