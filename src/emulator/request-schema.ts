/**
 * The closed schema of a whole bulk request body: the envelope (`{"users":[…]}` or
 * `{"usergroups":[…], "directives"?:…}`) and every item against the item schema of
 * `schemas/`. Like Propel, any violation rejects the whole request; the answer names every
 * violating item, one message each, with a pointer into the body.
 */
import type { ValidateFunction } from 'ajv';
import { RESOURCES, type ResourceName } from '../core/resource.js';
import { compileItemSchema, schemaAjv } from '../stages/4-validate/schema-registry.js';
import { primaryError } from '../stages/4-validate/schema-reason.js';
import { directivesSchema } from './directives.js';
import { everitMessage } from './schema-messages.js';

const envelopeSchemas: Readonly<Record<ResourceName, object>> = {
  users: {
    type: 'object',
    properties: { users: { type: 'array' } },
    required: ['users'],
    additionalProperties: false,
  },
  usergroups: {
    type: 'object',
    properties: { usergroups: { type: 'array' }, directives: directivesSchema },
    required: ['usergroups'],
    additionalProperties: false,
  },
};

const envelopes = new Map<ResourceName, ValidateFunction>();

function envelopeValidator(resource: ResourceName): ValidateFunction {
  let fn = envelopes.get(resource);
  if (fn === undefined) {
    fn = schemaAjv().compile(envelopeSchemas[resource]);
    envelopes.set(resource, fn);
  }
  return fn;
}

function firstMessage(fn: ValidateFunction, base: string): string {
  const error = primaryError(fn.errors ?? []);
  return error === undefined ? `#${base}: schema violation` : everitMessage(error, base);
}

/** The everit-worded violations of a parsed request body; empty when the body is valid. */
export function requestViolations(resource: ResourceName, body: unknown): string[] {
  const messages: string[] = [];
  const envelope = envelopeValidator(resource);
  if (!envelope(body)) messages.push(firstMessage(envelope, ''));
  const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[RESOURCES[resource].listKey] : undefined;
  if (Array.isArray(list)) {
    const item = compileItemSchema(resource);
    const base = `/${RESOURCES[resource].listKey}/`;
    list.forEach((entry: unknown, index) => {
      if (!item(entry)) messages.push(firstMessage(item, `${base}${index}`));
    });
  }
  return messages;
}
