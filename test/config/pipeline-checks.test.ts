/** Load-time checks of issue 13: target fields against the item schema, placeholders left by init. */
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/index.js';
import { tempFiles } from '../support/files.js';
import { configError } from './helpers.js';

const write = tempFiles('propel-etl-config-');
const pipeline = (resource: string, mapping: string): string =>
  `name: p\nresource: ${resource}\nsource: { path: x.csv }\nmapping:\n${mapping}`;

describe('target fields must exist', () => {
  it('a misspelt top-level field: its line and the field meant', async () => {
    const file = write('top.yaml', pipeline('users', '  source: { value: ERP }\n  sourceId: id\n  firstname: first\n'));
    const error = await configError(loadPipeline(file));
    expect(error.message).toBe('mapping: "firstname" is not a field of a user in Propel (did you mean "firstName"?)');
    expect(error.context).toMatchObject({ file, line: 7, key: 'mapping.firstname' });
  });

  it('nested keys of parent, attributes, addresses and pricing are checked against their own objects', async () => {
    const cases: [string, string, string][] = [
      [
        'parent',
        '  id: id\n  parent: { sourceid: p }\n',
        'mapping: "sourceid" is not a field of mapping.parent in Propel (did you mean "sourceId"?)',
      ],
      [
        'attributes',
        '  id: id\n  attributes:\n    - { name: TIER, type: text, vale: { from: tier } }\n',
        'mapping: "vale" is not a field of mapping.attributes[0] in Propel (did you mean "value"?)',
      ],
      [
        'addresses',
        '  id: id\n  addresses:\n    - { type: { value: invoice }, street: s, city: c, country: k, postcode: z }\n',
        'mapping: "postcode" is not a field of mapping.addresses[0] in Propel (did you mean "postalCode"?)',
      ],
      [
        'pricing',
        '  id: id\n  pricing:\n    categories:\n      - { id: c, pricing: { type: { value: CP }, amout: a } }\n    products: []\n',
        'mapping: "amout" is not a field of mapping.pricing.categories[0].pricing in Propel (did you mean "amount"?)',
      ],
    ];
    for (const [name, mapping, message] of cases) {
      const error = await configError(loadPipeline(write(`${name}.yaml`, pipeline('usergroups', mapping))));
      expect(error.message).toBe(message);
    }
  });

  it('accepts every field of the contract example (users) and a usergroup with pricing by source', async () => {
    const file = write(
      'ok.yaml',
      pipeline(
        'usergroups',
        '  id: id\n  name: n\n  parent: { source: { value: ERP }, sourceId: p }\n  pricing:\n    shopId: { value: 1 }\n    products:\n      - { source: { value: ERP }, sourceId: s, pricing: { type: { value: net }, price: { from: p, type: number } } }\n    categories: []\n',
      ),
    );
    await expect(loadPipeline(file)).resolves.toMatchObject({ resource: 'usergroups' });
  });
});

describe('placeholders', () => {
  it('a CHANGE_ME anywhere (not only in mapping) is refused with its key and line', async () => {
    const file = write(
      'ph.yaml',
      'name: p\nresource: users\nsource: { path: CHANGE_ME.csv }\nmapping: { source: { value: ERP }, sourceId: id }\n',
    );
    const error = await configError(loadPipeline(file));
    expect(error.message).toMatch(/^source\.path still holds the placeholder CHANGE_ME/);
    expect(error.context).toMatchObject({ line: 3, key: 'source.path' });
  });

  it('init may load its own starter file with them', async () => {
    const file = write(
      'init.yaml',
      'name: p\nresource: users\nsource: { path: x.csv }\nmapping: { source: { value: CHANGE_ME }, sourceId: { from: CHANGE_ME } }\n',
    );
    await expect(loadPipeline(file, { allowPlaceholders: true })).resolves.toMatchObject({ name: 'p' });
  });
});
