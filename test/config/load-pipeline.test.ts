import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline, loadRunFile } from '../../src/config/index.js';
import type { PipelineSpec } from '../../src/config/pipeline-spec.js';
import { FIXTURES, REPO, configError } from './helpers.js';

const contractExample = (file: string): PipelineSpec => ({
  name: 'users-from-erp',
  resource: 'users',
  source: {
    path: 'data/users-*.csv.gz',
    format: 'csv',
    csv: { delimiter: ';', headers: true, encoding: 'utf8' },
    json: { pointer: '/users' },
    zip: { entries: '*.csv', maxEntryBytes: 1024 * 1024 },
  },
  mapping: {
    source: { value: 'ERP' },
    sourceId: { from: 'customer_no' },
    language: { value: 'NL' },
    firstName: 'first_name',
    email: { from: 'email', transform: ['trim', 'lower'] },
    dateOfBirth: { from: 'dob', date: 'DD-MM-YYYY' },
    gender: { from: 'sex', map: { man: 'M', vrouw: 'F' }, default: 'U' },
    parent: { id: { from: 'group_id', type: 'integer' } },
    attributes: [{ name: 'LOYALTY_TIER', type: 'text', value: { from: 'tier' } }],
    addresses: [
      {
        type: { value: 'invoice' },
        street: 'street',
        number: 'house_no',
        postalCode: 'zip',
        city: 'city',
        country: { from: 'country', transform: ['upper'] },
      },
    ],
  },
  batch: { size: 200, maxBytes: 2 * 1024 * 1024 },
  send: { concurrency: 4, maxRetries: 8, timeoutMs: 60_000, rate: 20 },
  errors: { maxRejects: { fraction: 0.01 } },
  file,
});

describe('loading pipeline files', () => {
  it('loads the contract example from YAML into a PipelineSpec', async () => {
    const file = path.join(FIXTURES, 'full.yaml');
    expect(await loadPipeline(file)).toEqual(contractExample(file));
  });

  it('loads the same pipeline from JSON (tab-indented, with $schema) identically', async () => {
    const file = path.join(FIXTURES, 'full.json');
    expect(await loadRunFile(file)).toEqual({ kind: 'pipeline', spec: contractExample(file) });
  });

  it('resolves every default once', async () => {
    const file = path.join(FIXTURES, 'minimal.yml');
    expect(await loadPipeline(file)).toEqual({
      name: 'minimal',
      resource: 'usergroups',
      source: { path: 'groups.ndjson' },
      mapping: { id: { from: 'id', type: 'integer' }, name: 'name' },
      batch: { size: 200, maxBytes: 2_097_152 },
      send: { concurrency: 4, maxRetries: 8, timeoutMs: 60_000 },
      errors: {},
      file,
    });
  });

  it('makes a relative file argument absolute', async () => {
    const relative = path.relative(process.cwd(), path.join(FIXTURES, 'minimal.yml'));
    const spec = await loadPipeline(relative);
    expect(spec.file).toBe(path.join(FIXTURES, 'minimal.yml'));
    expect(path.isAbsolute(spec.file)).toBe(true);
  });

  it('keeps usergroup directives, without repeated fields', async () => {
    const spec = await loadPipeline(path.join(FIXTURES, 'directives.yaml'));
    expect(spec.directives).toEqual({ skipIfNotEmpty: ['name', 'company'], skipMoveOnUpdate: true });
  });

  it('loads the shipped demo pipeline', async () => {
    const file = path.join(REPO, 'pipelines', 'demo-users.yaml');
    const spec = await loadPipeline(file);
    expect(spec).toMatchObject({
      name: 'demo-users',
      resource: 'users',
      source: { path: '../data/demo-users.csv', format: 'csv' },
      batch: { size: 500, maxBytes: 2_097_152 },
      send: { concurrency: 4, maxRetries: 8, timeoutMs: 60_000 },
      file,
    });
    expect(spec.send.rate).toBeUndefined();
    expect(spec.mapping).toMatchObject({
      source: { value: 'DEMO' },
      sourceId: { from: 'customer_no' },
      language: { value: 'NL' },
      email: { from: 'email', transform: ['trim', 'lower'] },
      dateOfBirth: { from: 'dob', date: 'DD-MM-YYYY' },
      gender: { from: 'sex', map: { man: 'M', vrouw: 'F' }, default: 'U' },
      parent: { id: { from: 'group_id', type: 'integer' } },
      attributes: [{ name: 'LOYALTY_TIER', type: 'text', value: { from: 'tier', transform: ['trim', 'upper'] } }],
      addresses: [{ type: { value: 'invoice' } }],
    });
  });

  it('refuses a job file where a pipeline is required', async () => {
    const error = await configError(loadPipeline(path.join(FIXTURES, 'job', 'nightly.yaml')));
    expect(error.message).toMatch(/job file/);
  });
});

describe('job files', () => {
  it('lists its steps as absolute paths relative to the job file', async () => {
    const file = path.join(FIXTURES, 'job', 'nightly.yaml');
    expect(await loadRunFile(file)).toEqual({
      kind: 'job',
      file,
      name: 'nightly',
      steps: [path.join(FIXTURES, 'job', 'groups.yaml'), path.join(FIXTURES, 'job', 'sub', 'users.json')],
    });
  });

  it('is named after its file when it has no name', async () => {
    const loaded = await loadRunFile(path.join(FIXTURES, 'job', 'no-name.yml'));
    expect(loaded).toMatchObject({ kind: 'job', name: 'no-name' });
  });

  it('names a step file that does not exist, with its line', async () => {
    const error = await configError(loadRunFile(path.join(FIXTURES, 'job', 'missing-step.yaml')));
    expect(error.message).toBe(`step file not found: ${path.join(FIXTURES, 'job', 'nowhere.yaml')}`);
    expect(error.context.line).toBe(3);
  });

  it('reports an unknown key in a job file with its line', async () => {
    const error = await configError(loadRunFile(path.join(FIXTURES, 'job', 'misspelt.yaml')));
    expect(error.message).toBe('unknown key "stepz" at the top level (did you mean "steps"?)');
    expect(error.context).toMatchObject({ file: path.join(FIXTURES, 'job', 'misspelt.yaml'), line: 2 });
  });
});
