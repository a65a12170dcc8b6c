/**
 * Ajv errors in the wording of everit-json-schema, the Java validator behind Propel's 10007
 * answers (`#/users/0: required key [firstName] not found`), so clients are tested against the
 * messages they will really parse.
 */
import type { ErrorObject } from 'ajv';

/** The Java class names everit prints for JSON values. */
function everitTypeOf(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'JSONArray';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'BigDecimal';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  return 'JSONObject';
}

const EVERIT_TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'String',
  integer: 'Integer',
  number: 'Number',
  boolean: 'Boolean',
  object: 'JSONObject',
  array: 'JSONArray',
  null: 'Null',
};

function expectedType(type: unknown): string {
  const list = (Array.isArray(type) ? type : String(type).split(',')).map((t) => EVERIT_TYPE_NAMES[String(t)] ?? String(t));
  return list.length === 1 ? (list[0] ?? '') : `one of ${list.join(', ')}`;
}

/** Everit prints values with Java's toString: strings bare, structures as JSON. */
function javaText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * One Ajv error (from an instance with `verbose: true`) as one everit message.
 * `base` is the JSON pointer of the validated value inside the request body, e.g. `/users/3`.
 */
export function everitMessage(error: ErrorObject, base = ''): string {
  const pointer = `#${base}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  const data: unknown = error.data;
  switch (error.keyword) {
    case 'required':
      return `${pointer}: required key [${String(params.missingProperty)}] not found`;
    case 'additionalProperties':
      return `${pointer}: extraneous key [${String(params.additionalProperty)}] is not permitted`;
    case 'dependencies':
      return `${pointer}: property [${String(params.missingProperty)}] is required`;
    case 'enum':
      return `${pointer}: ${javaText(data)} is not a valid enum value`;
    case 'type':
      return `${pointer}: expected type: ${expectedType(params.type)}, found: ${everitTypeOf(data)}`;
    case 'pattern':
      return `${pointer}: string [${javaText(data)}] does not match pattern ${String(params.pattern)}`;
    case 'minLength':
      return `${pointer}: expected minLength: ${String(params.limit)}, actual: ${typeof data === 'string' ? [...data].length : '?'}`;
    case 'maxLength':
      return `${pointer}: expected maxLength: ${String(params.limit)}, actual: ${typeof data === 'string' ? [...data].length : '?'}`;
    case 'minItems':
      return `${pointer}: expected minimum item count: ${String(params.limit)}, found: ${Array.isArray(data) ? data.length : '?'}`;
    case 'maxItems':
      return `${pointer}: expected maximum item count: ${String(params.limit)}, found: ${Array.isArray(data) ? data.length : '?'}`;
    case 'minimum':
      return `${pointer}: ${javaText(data)} is not greater or equal to ${String(params.limit)}`;
    case 'maximum':
      return `${pointer}: ${javaText(data)} is not less or equal to ${String(params.limit)}`;
    default:
      return `${pointer}: ${error.message ?? `${error.keyword} violation`}`;
  }
}
