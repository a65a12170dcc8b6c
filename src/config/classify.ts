/**
 * Tells a field spec (`{ from: email, transform: [trim] }`) from a nested object of target
 * fields (`{ type: { value: invoice }, street: street }`). Propel objects have target fields
 * named `type` and `value` (addresses, attributes), so "has a spec key" alone cannot decide.
 */
import type { FieldSpec } from './pipeline-spec.js';

export const FIELD_SPEC_KEYS: ReadonlySet<string> = new Set(['from', 'value', 'default', 'transform', 'type', 'date', 'map']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Whether `value` has the shape the spec key `key` takes (a nested node has other shapes). */
function hasSpecShape(key: string, value: unknown): boolean {
  switch (key) {
    case 'from':
    case 'type':
    case 'date':
      return typeof value === 'string';
    case 'value':
    case 'default':
      return isScalar(value);
    case 'transform':
      return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    case 'map':
      return isPlainObject(value) && Object.values(value).every(isScalar);
    default:
      return false;
  }
}

/**
 * A plain object is a field spec when it has `from` (no Propel object has a field of that
 * name, and treating it as a spec turns a typo such as `transfrom` into an error instead of
 * a silently read column), or when all its keys are spec keys holding spec-shaped values.
 * Anything else is a nested object, e.g. `{ value: { from: tier } }` is an object whose
 * target field `value` is read from `tier`.
 */
export function isFieldSpec(node: Record<string, unknown>): node is FieldSpec & Record<string, unknown> {
  if (Object.hasOwn(node, 'from')) return true;
  const keys = Object.keys(node);
  return keys.length > 0 && keys.every((k) => FIELD_SPEC_KEYS.has(k) && hasSpecShape(k, node[k]));
}
