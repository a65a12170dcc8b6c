/**
 * The item JSON Schemas in `schemas/`, compiled once per process with one shared Ajv instance.
 * The validator and the emulator both compile from here, so the tool and its test double can
 * never disagree about what Propel accepts.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import { ERR, InternalError } from '../../core/errors.js';
import type { ResourceName } from '../../core/resource.js';

// `schemas/` sits two levels above this file both in the source tree (src/validate) and in the
// build (dist/validate), so one relative URL works for tests and for the installed package.
const SCHEMA_DIR = new URL('../../../schemas/', import.meta.url);

const FILES = {
  common: 'propel-common.schema.json',
  users: 'users.item.schema.json',
  usergroups: 'usergroups.item.schema.json',
} as const;

function loadSchema(file: string): AnySchemaObject {
  return JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as AnySchemaObject;
}

let ajv: Ajv | undefined;
let exhaustiveAjv: Ajv | undefined;
const compiled = new Map<ResourceName, ValidateFunction>();
const compiledExhaustive = new Map<ResourceName, ValidateFunction>();

/** The shared Ajv instance, with every item schema (and the common definitions) registered. */
export function schemaAjv(): Ajv {
  ajv ??= createAjv(false);
  return ajv;
}

function createAjv(allErrors: boolean): Ajv {
  return new Ajv({
    strict: true,
    // Union types are needed for attribute values; everything else stays strict.
    allowUnionTypes: true,
    // The `if: {required: [id]}` discriminators name keys defined in the branch, not beside them.
    strictRequired: false,
    // First failure only on the hot path (faster); the exhaustive instance lists every problem
    // of an item that already failed, for the reject line's `reasons`.
    allErrors,
    // Errors carry the offending value so a reason can say what was found (error path only).
    verbose: true,
    // No `unicode: false` (deprecated; Ajv warns on every start): the schemas have no maxLength,
    // only minLength 1 on key fields, where the code-point count costs next to nothing.
    schemas: [loadSchema(FILES.common), loadSchema(FILES.users), loadSchema(FILES.usergroups)],
  });
}

/** The item schema a resource's items are judged by, with the common definitions, as its files hold them (the delta fingerprint covers it). */
export function itemSchemaText(resource: ResourceName): string {
  return [FILES.common, FILES[resource]].map((f) => readFileSync(new URL(f, SCHEMA_DIR), 'utf8')).join('\n');
}

/** The `$id` of a resource's item schema, for `$ref` from other schemas. */
export function itemSchemaId(resource: ResourceName): string {
  return new URL(FILES[resource], 'https://propel-etl.local/schemas/').href;
}

/** The compiled item schema of a resource (compiled on first use, then cached). */
export function compileItemSchema(resource: ResourceName): ValidateFunction {
  return compileFrom(schemaAjv, compiled, resource);
}

/** The same schema reporting every error (ajv allErrors): only for items that already failed. */
export function compileExhaustiveItemSchema(resource: ResourceName): ValidateFunction {
  return compileFrom(() => (exhaustiveAjv ??= createAjv(true)), compiledExhaustive, resource);
}

function compileFrom(instance: () => Ajv, cache: Map<ResourceName, ValidateFunction>, resource: ResourceName): ValidateFunction {
  let fn = cache.get(resource);
  if (fn === undefined) {
    const found = instance().getSchema(itemSchemaId(resource));
    // Only a damaged installation (schemas/ missing a file) gets here.
    if (found === undefined) throw new InternalError(`item schema for ${resource} is not registered`, ERR.SCHEMA_MISSING);
    fn = found;
    cache.set(resource, fn);
  }
  return fn;
}
