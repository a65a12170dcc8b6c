/**
 * Usergroup bulk directives. The endpoint page documents two, in the array form
 * `[{"operation":"skipIfNotEmpty","fields":["name"]}]`; Propel's core-concepts page shows an
 * object form `{"skipIfNotEmpty":["name"]}`. Both are accepted and normalised to the array form.
 */
import type { PropelItem } from '../core/record.js';

export const DIRECTIVE_OPERATIONS = ['skipIfNotEmpty', 'skipMoveOnUpdate'] as const;
export type DirectiveOperation = (typeof DIRECTIVE_OPERATIONS)[number];

export interface Directive {
  readonly operation: DirectiveOperation;
  readonly fields: readonly string[];
}

const fieldList = { type: 'array', items: { type: 'string' } } as const;

/** The `directives` property of a usergroups request body (used inside the request schema). */
export const directivesSchema = {
  if: { type: 'array' },
  then: {
    type: 'array',
    items: {
      type: 'object',
      properties: { operation: { type: 'string', enum: [...DIRECTIVE_OPERATIONS] }, fields: fieldList },
      required: ['operation', 'fields'],
      additionalProperties: false,
    },
  },
  else: {
    type: 'object',
    properties: { skipIfNotEmpty: fieldList, skipMoveOnUpdate: fieldList },
    additionalProperties: false,
  },
} as const;

/** Normalises an already schema-checked `directives` value. */
export function normaliseDirectives(value: unknown): Directive[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value as Directive[];
  return Object.entries(value as Record<string, string[]>).map(([operation, fields]) => ({
    operation: operation as DirectiveOperation,
    fields,
  }));
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * What of `sent` an update applies to `stored`, after the directives: skipIfNotEmpty keeps a
 * stored non-empty field, skipMoveOnUpdate keeps the stored parent.
 */
export function applyUpdateDirectives(sent: PropelItem, stored: PropelItem, directives: readonly Directive[]): PropelItem {
  const out: PropelItem = { ...sent };
  for (const d of directives) {
    if (d.operation === 'skipMoveOnUpdate') {
      delete out.parent;
    } else {
      for (const field of d.fields) if (!isEmpty(stored[field])) delete out[field];
    }
  }
  return out;
}
