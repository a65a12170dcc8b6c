import { describe, expect, it } from 'vitest';
import { createItemValidator, pointerToPath } from '../../../src/stages/4-validate/item-validator.js';

const users = createItemValidator('users');
const usergroups = createItemValidator('usergroups');

const address = { type: 'invoice', street: 'Main', number: '1', city: 'Utrecht', country: 'NL' };

const fullUser = {
  source: 'ERP',
  sourceId: '1001',
  language: 'NL',
  debtorId: 'D1',
  firstName: 'Anna',
  middleName: 'van',
  lastName: 'Dijk',
  fullName: 'Anna van Dijk',
  title: 'Dr',
  dateOfBirth: '1980-02-29',
  gender: 'F',
  login: 'anna',
  phone: '+31 30 1234567',
  email: 'anna@example.com',
  company: 'ACME',
  parent: { source: 'ERP', sourceId: 'G1', language: 'NL' },
  taxNumber: 'NL001',
  cocNumber: '123',
  primaryLanguage: 'NL',
  attributes: [
    { class: 'user', name: 'LOYALTY_TIER', type: 'text', value: 'gold' },
    { name: 'TAGS_2', type: 'enumlist', value: ['a', 'b'] },
    { name: 'POINTS', type: 'integer', value: 12 },
  ],
  addresses: [
    {
      ...address,
      code: 'A1',
      firstName: 'A',
      middleName: 'v',
      lastName: 'D',
      gender: 'F',
      numberExtension: 'b',
      postalCode: '3511AA',
      region: 'UT',
      icp: 'N',
      phone: '1',
      mobile: '2',
      email: 'x@y.z',
      company: 'ACME',
      url: 'https://acme.example',
      isDefault: 'Y',
      notes: 'n',
    },
    { type: 'delivery', street: 'Side', city: 'Gouda', country: 'BE' },
  ],
};

const fullGroup = {
  id: 42,
  name: 'Retail',
  language: 'NL',
  parent: { id: 1 },
  company: 'ACME',
  department: 'Sales',
  office: 'HQ',
  notes: 'n',
  inheritProductList: 'Y',
  inheritOrderList: 'N',
  budget: 'H',
  budgetInherit: 'Y',
  orderListAllowAll: 'P',
  sourceId: 'G42',
  source: 'ERP',
  attributes: [{ name: 'REGION', type: 'enum', value: 'north' }],
  pricing: {
    shopId: 1,
    categories: [{ id: 7, pricing: { type: 'CP', amount: 5 } }],
    products: [{ source: 'ERP', sourceId: 'P1', pricing: { type: 'net', price: 9.5 } }],
  },
  addresses: [address],
};

describe('users item schema', () => {
  it('accepts the minimal item and an item using every field', () => {
    expect(users({ source: 'ERP', sourceId: '1' })).toBeUndefined();
    expect(users(fullUser)).toBeUndefined();
    expect(users({ source: 'ERP', sourceId: '1', parent: { id: 3 } })).toBeUndefined();
  });

  it.each([
    [{ sourceId: '1' }, 'missing required field "source"'],
    [{ source: 'ERP' }, 'missing required field "sourceId"'],
    [{ source: 'ERP', sourceId: '1', foo: 1 }, 'unknown field "foo"'],
    [{ source: 'ERP', sourceId: 1 }, 'sourceId: must be a string (got integer 1)'],
    [{ source: 'ERP', sourceId: '' }, 'sourceId: must not be empty'],
    [{ source: 'ERP', sourceId: '1', gender: 'X' }, 'gender: must be one of M, F, U (got "X")'],
    [
      { source: 'ERP', sourceId: '1', dateOfBirth: '01-02-1980' },
      'dateOfBirth: must match ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ (got "01-02-1980")',
    ],
    [
      { source: 'ERP', sourceId: '1', addresses: [{ ...address, country: 'nl' }] },
      'addresses[0].country: must match ^[A-Z]{2}$ (got "nl")',
    ],
    [
      { source: 'ERP', sourceId: '1', addresses: [address, { type: 'invoice', street: 's', country: 'NL' }] },
      'addresses[1]: missing required field "city"',
    ],
    [
      { source: 'ERP', sourceId: '1', addresses: [{ ...address, type: 'home' }] },
      'addresses[0].type: must be one of delivery, invoice (got "home")',
    ],
    [{ source: 'ERP', sourceId: '1', addresses: [{ ...address, floor: 2 }] }, 'addresses[0]: unknown field "floor"'],
    [{ source: 'ERP', sourceId: '1', addresses: address }, 'addresses: must be a list (got object'],
    [{ source: 'ERP', sourceId: '1', parent: { id: '5' } }, 'parent.id: must be an integer (got string "5")'],
    [{ source: 'ERP', sourceId: '1', parent: { source: 'ERP' } }, 'parent: missing required field "sourceId"'],
    [{ source: 'ERP', sourceId: '1', parent: { id: 5, source: 'ERP' } }, 'parent: unknown field "source"'],
    [
      { source: 'ERP', sourceId: '1', attributes: [{ name: 'tier', type: 'text', value: 'x' }] },
      'attributes[0].name: must match ^[A-Z0-9_]+$ (got "tier")',
    ],
    [
      { source: 'ERP', sourceId: '1', attributes: [{ name: 'T', type: 'json', value: 'x' }] },
      'attributes[0].type: must be one of text, enum, enumlist, integer, decimal, date, datetime (got "json")',
    ],
    [{ source: 'ERP', sourceId: '1', attributes: [{ name: 'T', type: 'text' }] }, 'attributes[0]: missing required field "value"'],
  ])('rejects %j with a reason naming the field', (item, reason) => {
    expect(users(item)).toContain(reason);
  });

  it('rejects a non-object item', () => {
    expect(users([] as unknown as Record<string, unknown>)).toBe('must be an object (got array [])');
  });

  it('cuts a long offending value short', () => {
    const reason = users({ source: 'ERP', sourceId: '1', gender: 'x'.repeat(500) });
    expect(reason).toMatch(/^gender: must be one of M, F, U \(got "x+…\)$/);
    expect(reason!.length).toBeLessThan(120);
  });
});

describe('usergroups item schema', () => {
  it('accepts the minimal item and an item using every field', () => {
    expect(usergroups({ id: 1 })).toBeUndefined();
    expect(usergroups(fullGroup)).toBeUndefined();
  });

  it.each([
    [{ name: 'x' }, 'missing required field "id"'],
    [{ id: '1' }, 'id: must be an integer (got string "1")'],
    [{ id: 1.5 }, 'id: must be an integer (got number 1.5)'],
    [{ id: 1, sourceId: 'G1' }, 'missing required field "source" (required when "sourceId" is present)'],
    [{ id: 1, source: 'ERP' }, 'missing required field "sourceId" (required when "source" is present)'],
    [{ id: 1, budget: 'X' }, 'budget: must be one of Y, H, N (got "X")'],
    [{ id: 1, orderListAllowAll: 'Q' }, 'orderListAllowAll: must be one of N, Y, A, U, P (got "Q")'],
    [{ id: 1, inheritProductList: 'yes' }, 'inheritProductList: must be one of Y, N (got "yes")'],
    [
      { id: 1, pricing: { categories: [], products: [{ id: 1, pricing: { type: 'XX' } }] } },
      'pricing.products[0].pricing.type: must be one of CP, SP, net (got "XX")',
    ],
    [{ id: 1, pricing: { products: [] } }, 'pricing: missing required field "categories"'],
    [{ id: 1, users: [] }, 'unknown field "users"'],
  ])('rejects %j with a reason naming the field', (item, reason) => {
    expect(usergroups(item)).toBe(reason);
  });
});

describe('pointerToPath', () => {
  it('writes pointers the way a pipeline author names fields', () => {
    expect(pointerToPath('')).toBe('');
    expect(pointerToPath('/addresses/0/country')).toBe('addresses[0].country');
    expect(pointerToPath('/a~1b/c~0d')).toBe('a/b.c~d');
  });
});
