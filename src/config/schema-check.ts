/**
 * Checks parsed data against a JSON Schema (ajv) and turns the first problem, in file order,
 * into one ConfigError that names the key path, its line, and a likely intended key.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { ConfigError } from '../core/errors.js';
import { didYouMean } from './did-you-mean.js';
import { formatKeyPath, fromJsonPointer, type KeyPath } from './key-path.js';
import type { SourceDocument } from './load-document.js';

/** Where the JSON Schemas ship: `schemas/` at the package root, two levels above both src/config and dist/config. */
const SCHEMAS = new URL('../../schemas/', import.meta.url);

// strictRequired is off: the field-spec rule names keys in anyOf branches on purpose, without redefining them there.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
const compiled = new Map<string, ValidateFunction>();
/**
 * Schema objects of named definitions, to word errors by definition. Ajv's schemaPath cannot tell:
 * a recursive definition is compiled on its own and its paths start again at `#/`.
 */
const definitionNames = new WeakMap<object, string>();

/** The validator of a schema file under `schemas/`, compiled once per process. */
export function schemaValidator<T>(fileName: string): ValidateFunction<T> {
  let validate = compiled.get(fileName);
  if (validate === undefined) {
    const schema = JSON.parse(readFileSync(new URL(fileName, SCHEMAS), 'utf8')) as AnySchemaObject;
    const definitions = (schema.definitions ?? {}) as Record<string, object>;
    for (const [name, definition] of Object.entries(definitions)) definitionNames.set(definition, name);
    validate = ajv.compile(schema);
    compiled.set(fileName, validate);
  }
  return validate as ValidateFunction<T>;
}

/** A validator for a schema given inline (small internal formats that do not ship as files). */
export function inlineValidator<T>(schema: AnySchemaObject): ValidateFunction<T> {
  return ajv.compile<T>(schema);
}

/** Throws a ConfigError for the first schema problem in file order; returns normally when `data` is valid. */
export function checkSchema<T>(doc: SourceDocument, data: unknown, validate: ValidateFunction<T>): asserts data is T {
  if (validate(data)) return;
  const problems = relevant(validate.errors ?? []).map((error) => toProblem(doc, data, error));
  problems.sort((a, b) => a.offset - b.offset || a.rank - b.rank);
  const first = problems[0];
  if (first === undefined) throw new ConfigError('does not match its schema', { file: doc.file });
  throw new ConfigError(first.message, { file: doc.file, line: doc.lineOf(first.path, first.at), key: formatKeyPath(first.path) });
}

interface Problem {
  message: string;
  path: KeyPath;
  at: 'key' | 'value';
  offset: number;
  /** Among problems at the same place, the more telling first (a wrong key before a wrong type). */
  rank: number;
}

/**
 * Drops errors that only repeat others: `if` (its `then` errors say what is wrong) and the
 * branch errors under an anyOf/oneOf (the anyOf error itself says it, with the schema's description).
 */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  // A required key missing next to an unknown key is usually that key misspelt: report the misspelling.
  const withUnknownKeys = new Set(errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath));
  return errors.filter(
    (e) =>
      e.keyword !== 'if' &&
      !unions.some((prefix) => e.schemaPath.startsWith(prefix)) &&
      !(e.keyword === 'required' && withUnknownKeys.has(e.instancePath)),
  );
}

const RANK: Readonly<Record<string, number>> = { additionalProperties: 0, required: 1, type: 2, enum: 3 };

const TYPE_WORDS: Readonly<Record<string, string>> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'empty',
};

/** Named definitions whose description reads as "must be <description>" (sizes, durations, …). */
const DESCRIBED_DEFINITIONS = new Set(['size', 'duration', 'age', 'rate', 'maxRejects', 'mappingNode', 'scalar']);

function toProblem(doc: SourceDocument, root: unknown, error: ErrorObject): Problem {
  const path = fromJsonPointer(error.instancePath, root);
  const where = formatKeyPath(path);
  const rank = RANK[error.keyword] ?? 4;
  const got = (): string => describeValue(doc, path, error.data);

  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    const keyPath = [...path, key];
    const known = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
    const suggestion = didYouMean(key, known);
    const inWhere = path.length === 0 ? 'at the top level' : `in ${where}`;
    const hint =
      suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
    return { message: `unknown key "${key}" ${inWhere}${hint}`, path: keyPath, at: 'key', offset: doc.offsetOf(keyPath), rank };
  }
  if (error.keyword === 'required') {
    const key = String((error.params as { missingProperty: string }).missingProperty);
    const inWhere = path.length === 0 ? 'at the top level' : `in ${where}`;
    return { message: `missing required key "${key}" ${inWhere}`, path, at: 'key', offset: doc.offsetOf(path), rank };
  }

  const definition = error.parentSchema !== undefined ? definitionNames.get(error.parentSchema) : undefined;
  const description: unknown = error.parentSchema?.description;
  let expected: string;
  if (
    error.keyword === 'anyOf' ||
    error.keyword === 'oneOf' ||
    (definition !== undefined && DESCRIBED_DEFINITIONS.has(definition) && typeof description === 'string')
  ) {
    expected = `must be ${lowerFirst(String(description ?? 'one of the allowed forms'))}`;
  } else if (definition === 'name' && error.keyword === 'pattern') {
    expected = 'must be made of letters, digits, ".", "_" and "-" only (it names the run folder)';
  } else if (error.keyword === 'type') {
    const types = ([] as string[]).concat((error.params as { type: string | string[] }).type);
    expected = `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
  } else if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
    const suggestion = typeof error.data === 'string' && !doc.isSubstituted(path) ? didYouMean(error.data, allowed) : undefined;
    const hint = suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : '';
    return {
      message: `${where} must be one of: ${allowed.join(', ')}; got ${got()}${hint}`,
      path,
      at: 'value',
      offset: doc.offsetOf(path),
      rank,
    };
  } else {
    expected = error.message ?? 'is not valid';
  }
  return { message: `${where} ${expected}; got ${got()}`, path, at: 'value', offset: doc.offsetOf(path), rank };
}

/** A description as the end of "must be …": lower-case start, no closing full stop. */
function lowerFirst(s: string): string {
  return (s.charAt(0).toLowerCase() + s.slice(1)).replace(/\.$/, '');
}

/** A short rendering of an offending value; never the value of a substituted variable (it may be a secret). */
export function describeValue(doc: SourceDocument, path: KeyPath, value: unknown): string {
  if (doc.isSubstituted(path)) return 'a value from a ${VAR} (not shown)';
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
