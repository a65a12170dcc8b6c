import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type AnySchemaObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { isFieldSpec } from '../../src/config/classify.js';
import { schemaValidator } from '../../src/config/schema-check.js';
import { REPO } from './helpers.js';

/**
 * The schema (definitions/fieldSpecShape) decides which mapping objects the loader checks as
 * closed field specs; the mapper (src/mapping/classify.ts) decides how it reads them. They must
 * agree on every pipeline the loader accepts, or a valid file would be read differently than checked.
 */
const schema = JSON.parse(readFileSync(path.join(REPO, 'schemas', 'pipeline.schema.json'), 'utf8')) as AnySchemaObject;
const definitions = schema.definitions as Record<string, AnySchemaObject>;
const schemaSaysFieldSpec = new Ajv({ strictRequired: false, allowUnionTypes: true }).compile({
  ...definitions.fieldSpecShape,
  definitions,
});
const pipelineAccepts = (node: unknown): boolean =>
  schemaValidator<unknown>('pipeline.schema.json')({ name: 't', resource: 'users', source: { path: 'x' }, mapping: { f: node } });

const nodes: Record<string, unknown>[] = [
  { from: 'a' },
  { from: 'a', type: 'yn', transform: ['trim'] },
  { value: 'ERP' },
  { value: 3 },
  { value: false },
  { type: 'integer', value: 5 },
  { default: 'U' },
  { transform: ['trim'] },
  { date: 'DD-MM-YYYY' },
  { map: { a: 'b' } },
  { type: 'text' },
  { id: { from: 'group_id' } },
  { type: { value: 'invoice' }, street: 'street' },
  { name: 'LOYALTY_TIER', type: 'text', value: { from: 'tier' } },
  { name: { value: 'LOYALTY_TIER' }, value: 'tier' },
  { type: 'delivery_column', city: 'city' },
  { value: { from: 'tier' } },
  { form: 'email', transform: ['trim'] },
  { from: 'dob', dat: 'DD-MM-YYYY' },
  { transform: 'trim' },
  { default: 'U', fallback: 'x' },
  {},
];

describe('field spec or nested object', () => {
  it('is decided alike by the schema and the mapper for every pipeline the loader accepts', () => {
    for (const node of nodes) {
      const mapper = isFieldSpec(node);
      const checked = schemaSaysFieldSpec(node);
      if (mapper) expect(checked, JSON.stringify(node)).toBe(true);
      // The schema is stricter on purpose (typos next to default/transform/date/map); then the file is refused.
      if (checked && !mapper) expect(pipelineAccepts(node), JSON.stringify(node)).toBe(false);
    }
  });

  it('checks field specs closed but leaves nested objects free', () => {
    expect(pipelineAccepts({ from: 'a', extra: 'x' })).toBe(false);
    expect(pipelineAccepts({ form: 'email', transform: ['trim'] })).toBe(false);
    expect(pipelineAccepts({ type: 'text' })).toBe(false);
    expect(pipelineAccepts({ type: { value: 'invoice' }, street: 'street', extra: 'x' })).toBe(true);
    expect(pipelineAccepts({ name: { value: 'LOYALTY_TIER' }, value: 'tier' })).toBe(true);
    expect(pipelineAccepts({ name: 'LOYALTY_TIER', type: 'text', value: { from: 'tier' } })).toBe(true);
  });
});
