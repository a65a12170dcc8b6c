/**
 * The mapping's shape as the compiler sees it (same field-spec classification, same literal
 * attribute keys), for checks that need to know what a mapping reads and writes without
 * compiling it: which source columns it reads, which target objects it fills.
 */
import type { MappingObject } from './pipeline-spec.js';
import type { KeyPath } from './key-path.js';
import { isFieldSpec, isPlainObject } from './classify.js';

export type MappingPart =
  /** A target object (the item itself at `[]`, `parent`, `addresses[0]`, …) and the keys the mapping gives it. */
  | { readonly kind: 'object'; readonly path: KeyPath; readonly keys: readonly string[] }
  /** A target field read from the source (`from` or a bare column). */
  | { readonly kind: 'read'; readonly path: KeyPath; readonly from: string };

/** In `attributes:` elements a bare string for these keys is a constant (see compile-mapping.ts). */
const ATTRIBUTE_LITERAL_KEYS: ReadonlySet<string> = new Set(['name', 'type', 'class']);

/** Every target object and every source read of `mapping`, in file order; paths are relative to `mapping:`. */
export function* walkMapping(mapping: MappingObject): Generator<MappingPart> {
  // The root is always an object of target fields, whatever its keys look like.
  if (isPlainObject(mapping)) yield* walkObject(mapping, [], false);
}

function* walk(node: unknown, path: KeyPath, inAttributeList: boolean): Generator<MappingPart> {
  if (typeof node === 'string') {
    yield { kind: 'read', path, from: node };
    return;
  }
  if (Array.isArray(node)) {
    const attributes = path[path.length - 1] === 'attributes';
    for (const [i, element] of node.entries()) yield* walk(element, [...path, i], attributes);
    return;
  }
  if (!isPlainObject(node)) return;
  if (isFieldSpec(node)) {
    if (typeof node.from === 'string') yield { kind: 'read', path, from: node.from };
    return;
  }
  yield* walkObject(node, path, inAttributeList);
}

function* walkObject(node: Record<string, unknown>, path: KeyPath, inAttributeList: boolean): Generator<MappingPart> {
  const keys = Object.keys(node);
  yield { kind: 'object', path, keys };
  for (const key of keys) {
    const value = node[key];
    if (inAttributeList && ATTRIBUTE_LITERAL_KEYS.has(key) && typeof value === 'string') continue;
    yield* walk(value, [...path, key], false);
  }
}
