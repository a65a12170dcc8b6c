import { describe, expect, it } from 'vitest';
import type { MappingObject } from '../../../src/config/pipeline-spec.js';
import { ConfigError } from '../../../src/core/errors.js';
import type { SourceData } from '../../../src/core/record.js';
import { compileMapping } from '../../../src/stages/3-map/compile-mapping.js';

function mapOk(mapping: MappingObject, data: SourceData): Record<string, unknown> {
  const result = compileMapping(mapping)(data);
  if (!result.ok) throw new Error(`expected an item, got reject: ${result.reason}`);
  return result.item;
}

function mapReason(mapping: MappingObject, data: SourceData): string {
  const result = compileMapping(mapping)(data);
  if (result.ok) throw new Error(`expected a reject, got ${JSON.stringify(result.item)}`);
  return result.reason;
}

function configError(mapping: unknown): ConfigError {
  try {
    compileMapping(mapping as MappingObject);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('field forms', () => {
  it('bare string, from, value, and paths into nested records', () => {
    const item = mapOk(
      {
        firstName: 'first_name',
        lastName: { from: 'name.last' },
        phone: 'phones[1]',
        source: { value: 'ERP' },
        count: { value: 3 },
        active: { value: true },
      },
      { first_name: 'Ann', name: { last: 'de Vries' }, phones: ['010', '020'] },
    );
    expect(item).toEqual({ firstName: 'Ann', lastName: 'de Vries', phone: '020', source: 'ERP', count: 3, active: true });
    expect(Object.keys(item)).toEqual(['firstName', 'lastName', 'phone', 'source', 'count', 'active']);
  });

  it('leaves out empty and missing values instead of sending ""', () => {
    const mapping: MappingObject = { a: 'a', b: 'b', c: 'c', d: { from: 'd', transform: ['trim'] }, e: 'e', f: { from: 'f' } };
    const item = mapOk(mapping, { a: '', b: null, d: '   ', e: '  ', f: 0 });
    // Whitespace without a trim is a value; 0 is a value.
    expect(item).toEqual({ e: '  ', f: 0 });
  });

  it('uses default only when the value is empty or missing', () => {
    const mapping: MappingObject = { lang: { from: 'lang', default: 'NL' }, only: { default: 'X' } };
    expect(mapOk(mapping, {})).toEqual({ lang: 'NL', only: 'X' });
    expect(mapOk(mapping, { lang: '' })).toEqual({ lang: 'NL', only: 'X' });
    expect(mapOk(mapping, { lang: 'EN' })).toEqual({ lang: 'EN', only: 'X' });
  });

  it('applies transforms in order and stringifies numbers only when a transform is given', () => {
    const mapping: MappingObject = {
      email: { from: 'email', transform: ['trim', 'lower'] },
      name: { from: 'name', transform: ['collapse'] },
      code: { from: 'code', transform: ['trim'] },
      raw: 'raw',
      one: { from: 'one', transform: 'upper' as unknown as ['upper'] },
    };
    expect(mapOk(mapping, { email: ' Ann@Example.NL ', name: '  Ann   de\tVries ', code: 42, raw: 42, one: 'x' })).toEqual({
      email: 'ann@example.nl',
      name: 'Ann de Vries',
      code: '42',
      raw: 42,
      one: 'X',
    });
  });

  it('converts types', () => {
    const mapping: MappingObject = {
      id: { from: 'id', type: 'integer' },
      price: { from: 'price', type: 'number' },
      ok: { from: 'ok', type: 'boolean' },
      flag: { from: 'flag', type: 'yn' },
      sourceId: { from: 'no', type: 'string' },
      jsonNumber: 'n',
    };
    expect(mapOk(mapping, { id: '12', price: '12.50', ok: 'Yes', flag: 'y', no: 1001, n: 7 })).toEqual({
      id: 12,
      price: 12.5,
      ok: true,
      flag: 'Y',
      sourceId: '1001',
      jsonNumber: 7,
    });
  });

  it('converts dates to ISO', () => {
    const mapping: MappingObject = {
      dateOfBirth: { from: 'dob', date: 'DD-MM-YYYY' },
      since: { from: 'since', date: 'YYYYMMDD' },
      at: { from: 'at', date: 'ISO' },
    };
    expect(mapOk(mapping, { dob: '29-02-2020', since: 20010911, at: '2021-06-01T23:30:00-05:00' })).toEqual({
      dateOfBirth: '2020-02-29',
      since: '2001-09-11',
      at: '2021-06-01',
    });
  });

  it('looks values up in a map after transforms, then converts', () => {
    const gender: MappingObject = { gender: { from: 'sex', transform: ['trim', 'lower'], map: { man: 'M', vrouw: 'F' } } };
    expect(mapOk(gender, { sex: ' Vrouw ' })).toEqual({ gender: 'F' });
    expect(mapOk(gender, { sex: '' })).toEqual({});
    const withDefault: MappingObject = { gender: { from: 'sex', map: { man: 'M', vrouw: 'F' }, default: 'U' } };
    expect(mapOk(withDefault, { sex: 'x' })).toEqual({ gender: 'U' });
    expect(mapOk(withDefault, {})).toEqual({ gender: 'U' });
    expect(mapOk(withDefault, { sex: 'man' })).toEqual({ gender: 'M' });
    const typed: MappingObject = { level: { from: 'tier', map: { gold: '3', silver: '2' }, type: 'integer' } };
    expect(mapOk(typed, { tier: 'gold' })).toEqual({ level: 3 });
    // Prototype names are not map entries.
    expect(mapReason(gender, { sex: 'constructor' })).toBe('gender: "constructor" is not in the map (man, vrouw)');
    // Numbers from JSON match string keys.
    expect(mapOk({ f: { from: 'f', map: { '1': 'Y', '0': 'N' } } }, { f: 1 })).toEqual({ f: 'Y' });
  });

  it('converts the default by the field type at compile time', () => {
    expect(mapOk({ n: { from: 'n', type: 'integer', default: '0' } }, {})).toEqual({ n: 0 });
    expect(mapOk({ n: { from: 'n', type: 'yn', default: false } }, {})).toEqual({ n: 'N' });
  });
});

describe('reject reasons', () => {
  it('names the field and the value', () => {
    expect(mapReason({ age: { from: 'age', type: 'integer' } }, { age: 'abc' })).toBe('age: "abc" is not an integer');
    expect(mapReason({ age: { from: 'age', type: 'integer' } }, { age: '12.5' })).toBe('age: "12.5" is not an integer');
    expect(mapReason({ p: { from: 'p', type: 'number' } }, { p: '1,5' })).toBe('p: "1,5" is not a number');
    expect(mapReason({ b: { from: 'b', type: 'boolean' } }, { b: 'maybe' })).toBe('b: "maybe" is not a boolean (true/false, 1/0, yes/no)');
    expect(mapReason({ y: { from: 'y', type: 'yn' } }, { y: 'x' })).toBe('y: "x" is not a Y/N flag (Y/N, true/false, 1/0, yes/no)');
    expect(mapReason({ s: { from: 's', type: 'string' } }, { s: { a: 1 } })).toBe('s: {"a":1} is not text');
    expect(mapReason({ s: { from: 's', transform: ['trim'] } }, { s: [1] })).toBe('s: [1] is not text');
    expect(mapReason({ gender: { from: 'sex', map: { man: 'M', vrouw: 'F' } } }, { sex: 'x' })).toBe(
      'gender: "x" is not in the map (man, vrouw)',
    );
  });

  it('dates: not parsable, not real', () => {
    const m: MappingObject = { dateOfBirth: { from: 'dob', date: 'DD-MM-YYYY' } };
    expect(mapReason(m, { dob: '31-02-2020' })).toBe('dateOfBirth: "31-02-2020" is not a real date (DD-MM-YYYY)');
    expect(mapReason(m, { dob: '29-02-2023' })).toBe('dateOfBirth: "29-02-2023" is not a real date (DD-MM-YYYY)');
    expect(mapReason(m, { dob: '01-13-2020' })).toBe('dateOfBirth: "01-13-2020" is not a real date (DD-MM-YYYY)');
    expect(mapReason(m, { dob: '2020-01-01' })).toBe('dateOfBirth: "2020-01-01" does not match the date format DD-MM-YYYY');
    expect(mapReason(m, { dob: true })).toBe('dateOfBirth: true is not text');
  });

  it('names nested paths and cuts long values', () => {
    const m: MappingObject = {
      parent: { id: { from: 'group_id', type: 'integer' } },
      addresses: [{ street: 'street', nr: { from: 'nr', type: 'integer' } }],
    };
    expect(mapReason(m, { group_id: 'G1' })).toBe('parent.id: "G1" is not an integer');
    expect(mapReason(m, { group_id: '1', street: 'Main', nr: '7a' })).toBe('addresses[0].nr: "7a" is not an integer');
    const reason = mapReason({ n: { from: 'n', type: 'integer' } }, { n: 'x'.repeat(500) });
    expect(reason.length).toBeLessThan(120);
    expect(reason).toMatch(/^n: "x+… is not an integer$/);
  });
});

describe('nested objects and arrays', () => {
  const mapping: MappingObject = {
    sourceId: 'no',
    parent: { id: { from: 'group_id', type: 'integer' } },
    addresses: [
      {
        type: { value: 'invoice' },
        street: 'street',
        city: 'city',
        country: { from: 'country', transform: ['upper'], default: 'NL' },
      },
      { type: { value: 'delivery' }, street: 'd_street', city: 'd_city' },
    ],
    attributes: [
      { name: { value: 'LOYALTY_TIER' }, type: { value: 'text' }, value: { from: 'tier' } },
      { name: { value: 'SEGMENT' }, type: { value: 'text' }, value: { from: 'segment' } },
    ],
    phones: ['phone1', 'phone2'],
  };

  it('maps everything when all values are there', () => {
    expect(
      mapOk(mapping, {
        no: '1',
        group_id: '5',
        street: 'Main 1',
        city: 'Delft',
        country: 'be',
        d_street: 'Dock 2',
        d_city: 'Gouda',
        tier: 'gold',
        segment: 'b2b',
        phone1: '010',
        phone2: '020',
      }),
    ).toEqual({
      sourceId: '1',
      parent: { id: 5 },
      addresses: [
        { type: 'invoice', street: 'Main 1', city: 'Delft', country: 'BE' },
        { type: 'delivery', street: 'Dock 2', city: 'Gouda' },
      ],
      attributes: [
        { name: 'LOYALTY_TIER', type: 'text', value: 'gold' },
        { name: 'SEGMENT', type: 'text', value: 'b2b' },
      ],
      phones: ['010', '020'],
    });
  });

  it('drops elements and objects whose source-taken fields are all empty; constants and defaults do not keep them', () => {
    expect(mapOk(mapping, { no: '1', group_id: '', city: 'Gouda', d_street: '', segment: 'b2b', phone2: '020' })).toEqual({
      sourceId: '1',
      addresses: [{ type: 'invoice', city: 'Gouda', country: 'NL' }],
      attributes: [{ name: 'SEGMENT', type: 'text', value: 'b2b' }],
      phones: ['020'],
    });
    // Nothing left: the arrays and the nested object are left out entirely.
    expect(mapOk(mapping, { no: '1' })).toEqual({ sourceId: '1' });
  });

  it('a value emptied by a transform does not keep its object', () => {
    const m: MappingObject = { address: { type: { value: 'invoice' }, city: { from: 'city', transform: ['trim'] } } };
    expect(mapOk(m, { city: '   ' })).toEqual({});
    expect(mapOk(m, { city: ' Delft ' })).toEqual({ address: { type: 'invoice', city: 'Delft' } });
  });

  it('a hit deep inside keeps the enclosing objects', () => {
    const m: MappingObject = { outer: { kind: { value: 'x' }, inner: { deep: 'deep' } } };
    expect(mapOk(m, { deep: 'v' })).toEqual({ outer: { kind: 'x', inner: { deep: 'v' } } });
    expect(mapOk(m, {})).toEqual({});
  });

  it('an object of constants only is always sent', () => {
    const m: MappingObject = { parent: { source: { value: 'ERP' }, sourceId: { value: 'ROOT' } }, id: 'id' };
    expect(mapOk(m, {})).toEqual({ parent: { source: 'ERP', sourceId: 'ROOT' } });
  });

  it('an empty record maps to an empty item (the validator rejects it)', () => {
    expect(mapOk({ sourceId: 'no' }, {})).toEqual({});
  });
});

describe('compile-time ConfigErrors', () => {
  const cases: Array<[unknown, string]> = [
    [
      { addresses: [{ street: 'street', country: { from: 'country', transform: ['uppr'] } }] },
      'mapping.addresses[0].country: unknown transform "uppr"',
    ],
    [{ age: { from: 'age', type: 'int' } }, 'mapping.age: unknown type "int"'],
    [{ dob: { from: 'dob', date: 'dd-mm-yyyy' } }, 'mapping.dob: date format "dd-mm-yyyy" has an unknown token'],
    [{ dob: { from: 'dob', date: 'YY-MM-DD' } }, 'mapping.dob: date format "YY-MM-DD" uses a two-digit year'],
    [{ dob: { from: 'dob', date: 'DD-MM-YYYY', type: 'integer' } }, 'mapping.dob: date gives an ISO date string'],
    [{ x: { transform: ['trim'] } }, 'mapping.x: needs from, value or default'],
    [{ x: { type: 'integer' } }, 'mapping.x: needs from, value or default'],
    [{ x: { from: 'a', value: 'b' } }, 'mapping.x: has both from and value'],
    [{ x: { from: 'a', transfrom: ['trim'] } }, 'mapping.x: unknown key "transfrom" in a field spec'],
    [{ x: { from: '' } }, 'mapping.x: from must be a source column or path'],
    [{ x: { from: 'a', map: {} } }, 'mapping.x: map is empty'],
    [{ x: { from: 'a', map: { a: { b: 1 } } } }, 'mapping.x: map value for "a" must be a string, number or boolean'],
    [{ x: { from: 'a', type: 'integer', default: 'none' } }, 'mapping.x: default "none" is not an integer'],
    [{ x: { value: 'abc', type: 'integer' } }, 'mapping.x: value "abc" is not an integer'],
    [{ x: { value: 'z', map: { a: 'b' } } }, 'mapping.x: value "z" is not in the map (a)'],
    [{ x: 12 }, 'mapping.x: expected a source column, a field spec, an object or a list, got 12 (write { value: 12 } for a constant)'],
    [{ x: null }, 'mapping.x: expected a source column'],
    [{ x: {} }, 'mapping.x: an empty object maps nothing'],
    [{ x: [] }, 'mapping.x: an empty list maps nothing'],
    [{ a: { b: [{ c: { from: 'c', type: 'nope' } }] } }, 'mapping.a.b[0].c: unknown type "nope"'],
    [JSON.parse('{"__proto__": "x"}'), 'mapping.__proto__: "__proto__" is not a valid target field name'],
    [[], 'mapping: must be an object of target fields'],
    [{}, 'mapping: an empty object maps nothing'],
  ];
  it.each(cases)('%j', (mapping, message) => {
    const err = configError(mapping);
    expect(err.message.startsWith(message), `${err.message}\n  should start with\n${message}`).toBe(true);
    expect(err.code).toBe('ETL_CONFIG');
    expect(err.exitCode).toBe(2);
  });
});

describe('spec or nested object', () => {
  it('treats the contract attribute shape as a nested object', () => {
    const m: MappingObject = { attributes: [{ name: { value: 'LOYALTY_TIER' }, type: { value: 'text' }, value: { from: 'tier' } }] };
    expect(mapOk(m, { tier: 'gold' })).toEqual({ attributes: [{ name: 'LOYALTY_TIER', type: 'text', value: 'gold' }] });
  });

  it('reads bare strings in nested objects as columns, also under spec-like names', () => {
    const m: MappingObject = { address: { type: 'addr_type', street: 'street' } };
    expect(mapOk(m, { addr_type: 'delivery', street: 'Main' })).toEqual({ address: { type: 'delivery', street: 'Main' } });
    expect(mapOk({ wrap: { value: { from: 'v' } } }, { v: 'x' })).toEqual({ wrap: { value: 'x' } });
  });
});

describe('attributes, as the contract writes them', () => {
  it('takes bare name, type and class in attributes as constants, and drops an attribute without a value', () => {
    const map = compileMapping({
      sourceId: 'id',
      attributes: [
        { name: 'LOYALTY_TIER', type: 'text', value: { from: 'tier' } },
        { class: 'user', name: 'SEGMENT', type: 'enum', value: 'segment' },
      ],
    });
    expect(map({ id: '1', tier: 'gold', segment: 'B2B' })).toEqual({
      ok: true,
      item: {
        sourceId: '1',
        attributes: [
          { name: 'LOYALTY_TIER', type: 'text', value: 'gold' },
          { class: 'user', name: 'SEGMENT', type: 'enum', value: 'B2B' },
        ],
      },
    });
    expect(map({ id: '2', tier: '', segment: 'B2C' })).toEqual({
      ok: true,
      item: { sourceId: '2', attributes: [{ class: 'user', name: 'SEGMENT', type: 'enum', value: 'B2C' }] },
    });
  });
});

describe('the source paths a mapping reads (what a columnar reader fetches)', () => {
  it('lists every from once, in mapping order, and no constant or attribute definition', () => {
    const mapping = {
      source: { value: 'ERP' },
      sourceId: 'customer_no',
      email: { from: 'contact.email', transform: ['lower'] },
      gender: { from: 'sex', map: { m: 'M' }, default: 'U' },
      language: { default: 'NL' },
      attributes: [{ name: 'TIER', type: 'text', value: { from: 'tier' } }],
      addresses: [
        { type: { value: 'invoice' }, city: 'contact.city', country: 'country' },
        { type: { value: 'delivery' }, city: 'contact.city' },
      ],
      phone: 'phones[0]',
      login: 'customer_no',
    } as unknown as MappingObject;
    expect(compileMapping(mapping).sources).toEqual([
      'customer_no',
      'contact.email',
      'sex',
      'tier',
      'contact.city',
      'country',
      'phones[0]',
    ]);
  });
});

describe('every problem of a record', () => {
  it('maps a failed record again to list all its problems; reason stays the first', () => {
    const result = compileMapping({
      sourceId: 'no',
      dateOfBirth: { from: 'dob', date: 'DD-MM-YYYY' },
      gender: { from: 'sex', map: { man: 'M' } },
      parent: { id: { from: 'gid', type: 'integer' } },
    })({ no: '1', dob: '31-02-1980', sex: 'x', gid: 'abc' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^dateOfBirth: "31-02-1980" is not a real date/);
    expect(result.reasons).toHaveLength(3);
    expect(result.reasons?.[0]).toBe(result.reason);
    expect(result.reasons?.[1]).toMatch(/^gender: "x" is not in the map/);
    expect(result.reasons?.[2]).toMatch(/^parent\.id: "abc"/);
  });

  it('a record with one problem has no reasons list', () => {
    const result = compileMapping({ sourceId: 'no', dateOfBirth: { from: 'dob', date: 'DD-MM-YYYY' } })({ no: '1', dob: 'x' });
    expect(result).toEqual({ ok: false, reason: expect.any(String) });
  });
});
