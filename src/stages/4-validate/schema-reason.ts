/**
 * Ajv errors in plain words for reject lines: `<field path>: <what is wrong>`, the path written
 * the way a pipeline author writes it (`addresses[0].country`), not as a JSON pointer.
 */
import type { ErrorObject } from 'ajv';

const MAX_SHOWN = 60;

/** `/addresses/0/country` -> `addresses[0].country`; `` -> ``. */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** A value as shown inside a reason; long values are cut so one bad field cannot flood a reject line. */
export function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

function typeWords(expected: unknown): string {
  const list = Array.isArray(expected) ? expected : String(expected).split(',');
  return list.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

/**
 * Ajv reports a failed if/then/else twice: the failure inside the branch, then an `if` error on
 * the object. The branch failure is the useful one; this picks it.
 */
export function primaryError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  return errors.find((e) => e.keyword !== 'if') ?? errors[0];
}

/** One Ajv error (from an instance with `verbose: true`, so it carries the value) as one plain-words reason. */
export function describeSchemaError(error: ErrorObject): string {
  const path = pointerToPath(error.instancePath);
  const at = (msg: string): string => (path === '' ? msg : `${path}: ${msg}`);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return at(`missing required field "${String(params.missingProperty)}"`);
    case 'dependencies':
      return at(`missing required field "${String(params.missingProperty)}" (required when "${String(params.property)}" is present)`);
    case 'additionalProperties':
      return at(`unknown field "${String(params.additionalProperty)}"`);
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(String).join(', ') : '';
      return at(`must be one of ${allowed} (got ${showValue(error.data)})`);
    }
    case 'pattern':
      return at(`must match ${String(params.pattern)} (got ${showValue(error.data)})`);
    case 'type':
      return at(`must be ${typeWords(params.type)} (got ${jsonTypeOf(error.data)} ${showValue(error.data)})`);
    case 'minLength':
      return params.limit === 1 ? at('must not be empty') : at(`must be at least ${String(params.limit)} characters long`);
    default:
      return at(error.message ?? `fails the ${error.keyword} rule`);
  }
}
